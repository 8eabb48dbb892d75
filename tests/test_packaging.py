"""The wheel carries the grammar, and an installed tasksync reads lines with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [built] = out.glob("tasksync-*.whl")
    return built


def test_wheel_ships_the_grammar_file(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "tasksync/grammar/tasks.lark" in names
        shipped = zf.read("tasksync/grammar/tasks.lark").decode("utf-8")
    assert shipped == (ROOT / "grammar" / "tasks.lark").read_text(encoding="utf-8")
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_package_parses_with_its_own_grammar(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    code = (
        "import tasksync.parse as p, pathlib;"
        "assert pathlib.Path(p.__file__).is_relative_to(pathlib.Path.cwd());"
        "t = p.parse_line('- [?] Ship it @Myself \\uf8ffüìÖ 2025-10-31 ‚è´ #proposed');"
        "print(t.due, t.priority.value, t.owner);"
        "import tasksync.query.engine as q; q._parser()"  # the query grammar is shipped too
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=site, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["2025-10-31", "high", "Myself"]
