from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The tests run in UTC (golden files hold COMPLETED times, noon where the user is), whatever
# the machine's zone; tests of other zones start processes with their own TZ.
os.environ["TZ"] = "UTC"
time.tzset()

# The grammar's tables are cached in the user's cache folder; the tests (and the processes
# they start) keep theirs in a folder of their own, removed when the run ends.
_CACHE = tempfile.TemporaryDirectory(prefix="tasksync-tests-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE.name

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_VAULT = ROOT / "examples" / "vault"
# The first user's real notes, beside the checkout when they are there (CI has them); the
# tests that use them skip otherwise: the project never needs them, and never copies them in.
SEED_VAULT = ROOT.parent / "shared" / "seed-vault"


@pytest.fixture
def example_vault(tmp_path: Path) -> Path:
    """A private copy of the bundled example vault."""
    target = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, target)
    return target


@pytest.fixture
def seed_vault(tmp_path: Path) -> Path:
    """A private, writable copy of the user's seed vault (the test skips without it)."""
    if not SEED_VAULT.is_dir():
        pytest.skip("the user's seed vault is not beside us")
    target = tmp_path / "seed"
    shutil.copytree(SEED_VAULT, target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return target


@pytest.fixture
def make_vault(tmp_path: Path):
    """Write notes (path -> text or bytes) into a fresh vault and return its folder."""

    def make(notes: dict[str, str | bytes]) -> Path:
        root = tmp_path / "v"
        for rel, content in notes.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        root.mkdir(exist_ok=True)
        return root

    return make


@pytest.fixture(autouse=True)
def _private_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own index file; nothing is written to the user's data folder."""
    monkeypatch.setenv("TASKSYNC_DB", str(tmp_path / "index.sqlite"))
    monkeypatch.delenv("TASKSYNC_VAULT", raising=False)


# The terminal sizes every TUI test runs at: the smallest that must work, and a roomy one.
SIZES = [(80, 24), (120, 40)]


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=["radicale", "xandikos"])
def server(request: pytest.FixtureRequest, tmp_path: Path):
    """A real CalDAV server of our own on 127.0.0.1; a test using it runs against both."""
    from tests.caldav_servers import SERVERS

    started = SERVERS[request.param](tmp_path / request.param)
    started.start()
    yield started
    started.stop()
