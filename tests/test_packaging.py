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
        "import tasksync.read.parse as p, pathlib;"
        "assert pathlib.Path(p.__file__).is_relative_to(pathlib.Path.cwd());"
        "t = p.parse_line('- [?] Ship it @Myself \\uf8ffüìÖ 2025-10-31 ‚è´ #proposed');"
        "print(t.due, t.priority.value, t.owner);"
        "import tasksync.query.boolean as q; q.boolean_parser()"  # the query grammar is shipped too
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=site, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["2025-10-31", "high", "Myself"]


_PARSE = (
    "from tasksync.read.parse import parse_line; print(parse_line('- [ ] x 📅 2025-01-02').due)"
)


def _run(code: str, cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=False)  # fmt: skip


def test_with_the_grammar_tables_cached_reading_does_not_import_lark(tmp_path):
    first = _run(_PARSE, tmp_path)  # analyses the grammar with Lark, and keeps the tables
    assert (first.returncode, first.stdout, first.stderr) == (0, "2025-01-02\n", "")
    assert (tmp_path / "tasksync" / "tasks-grammar.tables").is_file()
    again = _run(_PARSE + "; import sys; print('lark' in sys.modules)", tmp_path)
    assert again.stdout.split() == ["2025-01-02", "False"], again.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated", "unwritable"])
def test_a_damaged_tables_cache_costs_only_time(tmp_path, damage):
    """Same result and nothing on stderr, whatever state the cache folder is in."""
    home = tmp_path / "cache"
    cached = home / "tasksync" / "tasks-grammar.tables"
    if damage == "unwritable":
        home.write_text("a file where the cache folder should be")
    else:
        assert _run(_PARSE, home).returncode == 0
        data = cached.read_bytes()
        cached.write_bytes(b"not a cache\n\x80\x04junk" if damage == "garbage" else data[:-200])
    for _ in range(2):  # the second run reads what the first one left
        proc = _run(_PARSE, home)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "2025-01-02\n", "")
    if damage != "unwritable":  # rewritten whole: the next run reads it and needs no Lark
        assert cached.read_bytes().partition(b"\n")[0] == data.partition(b"\n")[0]
        check = _run(_PARSE + "; import sys; print('lark' in sys.modules)", home)
        assert check.stdout.split() == ["2025-01-02", "False"], check.stderr
