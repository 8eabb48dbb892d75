"""The wheel carries the grammar, and an installed tasksync reads lines with it."""

from __future__ import annotations

import os
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


@pytest.mark.parametrize("cache", ["corrupt", "unwritable"])
def test_a_bad_grammar_cache_is_rebuilt_or_skipped_silently(tmp_path, cache):
    """Lark's analysed grammar is cached in the user's cache folder; a damaged file, or a
    cache folder that cannot be made, must cost only time: same result, nothing on stderr."""
    home = tmp_path / "cache"
    if cache == "corrupt":
        (home / "tasksync").mkdir(parents=True)
        (home / "tasksync" / "tasks-grammar.lark-cache").write_bytes(b"not a cache\n\x80\x04junk")
    else:
        home.write_text("a file where the cache folder should be")
    code = "from tasksync.parse import parse_line; print(parse_line('- [ ] x 📅 2025-01-02').due)"
    env = {**os.environ, "XDG_CACHE_HOME": str(home)}
    for _ in range(2):  # the second run reads what the first one left
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, check=False)  # fmt: skip
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "2025-01-02\n", "")
