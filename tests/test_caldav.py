"""CalDAV sync against a real Radicale server on 127.0.0.1 (started here), and `watch`."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

caldav = pytest.importorskip("caldav")
pytest.importorskip("radicale")
pytest.importorskip("xandikos")

from tests.caldav_servers import SERVERS, Server, phone_edit  # noqa: E402

NOW = "2026-11-22T09:00:00Z"


def run(vault: Path, server: Server, *args: str, user: str = "tester"):
    return CliRunner().invoke(
        cli,
        ["--vault", str(vault), "--today", "2026-11-22", "caldav", *args, "--url", server.url,
         "--calendar", "tasks", "--user", user],
        env={"TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": server.password or "x"},
    )  # fmt: skip


def todos(server: Server) -> dict[str, Any]:
    return {str(t.icalendar_component["SUMMARY"]): t for t in
            server.calendar().todos(include_completed=True)}  # fmt: skip


def test_push_then_a_phone_completes_a_task_and_sync_writes_it_back(example_vault, server):
    result = run(example_vault, server, "sync")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("pushed 6, removed 0, pulled 0 changes; 0 conflict(s)")
    on_server = todos(server)
    assert sorted(on_server) == [
        "Call the council about the compost bins", "Get three quotes for treated timber",
        "Pot on the tomato seedlings", "Set up the nightly export of sensor readings",
        "Sharpen the hedge shears", "Water the seedlings",
    ]  # fmt: skip
    assert run(example_vault, server, "sync").stdout.startswith("pushed 0, removed 0, pulled 0")
    before = (example_vault / "Inbox.md").read_bytes()
    on_server["Call the council about the compost bins"].complete(
        completion_timestamp=datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
    )  # as a phone would
    result = run(example_vault, server, "sync")
    assert result.exit_code == 0, result.output
    assert "pulled 1 change" in result.stdout
    after = (example_vault / "Inbox.md").read_bytes()
    old, new = before.split(b"\r\n"), after.split(b"\r\n")
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [(
        b"- [ ] Call the council about the compost bins [due:: 2026-11-24] [priority:: high]",
        b"- [x] Call the council about the compost bins [due:: 2026-11-24] [priority:: high]  "
        b"[completion:: 2026-11-20]",
    )]  # fmt: skip
    assert "(undone)" not in CliRunner().invoke(cli, ["--vault", str(example_vault), "log"]).stdout
    again = run(example_vault, server, "sync")
    assert again.stdout.startswith("pushed 0, removed 0, pulled 0")  # nothing left to do
    assert str(todos(server)["Call the council about the compost bins"]
               .icalendar_component["STATUS"]) == "COMPLETED"  # fmt: skip


def test_done_and_deleted_in_the_vault_update_the_server(example_vault, server):
    assert run(example_vault, server, "sync").exit_code == 0
    inbox = example_vault / "Inbox.md"
    text = inbox.read_bytes().decode()
    text = text.replace("- [ ] Pot on the tomato seedlings", "- [x] Pot on the tomato seedlings")
    text = text.replace(
        "- [ ] Water the seedlings 🔁 every day when done 📅 2026-11-22 🆔 water1\r\n", ""
    )
    inbox.write_bytes(text.encode())
    result = run(example_vault, server, "sync")
    assert result.exit_code == 0, result.output
    assert "removed 1" in result.stdout
    on_server = todos(server)
    assert "Water the seedlings" not in on_server
    assert (
        str(on_server["Pot on the tomato seedlings"].icalendar_component["STATUS"]) == "COMPLETED"
    )


def test_conflicts_vault_wins_by_default_server_on_request(example_vault, server):
    """The same field changed on both sides, differently: a conflict, reported."""
    assert run(example_vault, server, "sync").exit_code == 0
    shed = example_vault / "Projects" / "Garden Shed Rebuild.md"
    shed.write_text(shed.read_text().replace("📅 2026-12-15", "📅 2026-12-20"))
    phone_edit(server, "Get three quotes for treated timber", due=date(2026, 12, 24))
    result = run(example_vault, server, "sync")
    assert result.exit_code == 0, result.output
    assert "1 conflict(s)" in result.stdout
    assert "due changed in the vault and on the server; the vault wins" in result.stdout
    assert "- [ ] Get three quotes for treated timber 🔼 📅 2026-12-20" in shed.read_text()
    item = todos(server)["Get three quotes for treated timber"].icalendar_component
    assert item["DUE"].dt.isoformat() == "2026-12-20"
    # the other way round
    shed.write_text(shed.read_text().replace("📅 2026-12-20", "📅 2026-12-21"))
    phone_edit(server, "Get three quotes for treated timber", due=date(2026, 12, 27))
    result = run(example_vault, server, "sync", "--prefer", "server")
    assert "the server wins" in result.stdout
    assert "- [ ] Get three quotes for treated timber 🔼 📅 2026-12-27" in shed.read_text()


def test_changes_to_different_fields_merge_without_a_conflict(example_vault, server):
    """Re-dated in the vault, completed on the phone: both are kept."""
    assert run(example_vault, server, "sync").exit_code == 0
    shed = example_vault / "Projects" / "Garden Shed Rebuild.md"
    shed.write_text(shed.read_text().replace("📅 2026-12-15", "📅 2026-12-20"))
    todos(server)["Get three quotes for treated timber"].complete(
        completion_timestamp=datetime(2026, 11, 21, 8, tzinfo=UTC))  # fmt: skip
    result = run(example_vault, server, "sync")
    assert result.exit_code == 0, result.output
    assert "0 conflict(s)" in result.stdout
    assert ("- [x] Get three quotes for treated timber 🔼 📅 2026-12-20 ✅ 2026-11-21"
            in shed.read_text())  # fmt: skip
    item = todos(server)["Get three quotes for treated timber"].icalendar_component
    assert (str(item["STATUS"]), item["DUE"].dt.isoformat()) == ("COMPLETED", "2026-12-20")
    assert run(example_vault, server, "sync").stdout.startswith("pushed 0, removed 0, pulled 0")


def test_server_down_is_a_clear_error_and_the_next_sync_completes(example_vault, server):
    before = {p: p.read_bytes() for p in example_vault.rglob("*.md")}
    server.stop()
    result = run(example_vault, server, "sync")
    assert result.exit_code == 7
    assert result.stderr.startswith(f"error: cannot reach the CalDAV server at {server.url}")
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in example_vault.rglob("*.md")} == before
    server.start()
    result = run(example_vault, server, "sync")
    assert result.exit_code == 0, result.output
    assert len(todos(server)) == 6


def test_bad_credentials(example_vault, tmp_path):
    # Radicale only: Xandikos serves Basic authentication over HTTPS with a self-signed
    # certificate only, which a client rightly refuses.
    guarded = SERVERS["radicale"](tmp_path / "guarded", password="right")
    guarded.start()
    try:
        guarded.password = "wrong"
        result = run(example_vault, guarded, "sync")
        assert result.exit_code == 7
        assert "refused the credentials" in result.stderr
        guarded.password = "right"
        assert run(example_vault, guarded, "sync").exit_code == 0
    finally:
        guarded.stop()


def test_seed_vault_after_accepting_puts_nine_todos_on_the_server(seed_vault, tmp_path, server):
    vault = seed_vault
    assert (
        CliRunner().invoke(cli, ["--vault", str(vault), "accept", "--all-proposed"]).exit_code == 0
    )
    result = run(vault, server, "sync")
    assert result.exit_code == 0, result.output
    assert len(server.calendar().todos(include_completed=True)) == 9


def test_watch_rewrites_the_ics_file_when_a_note_changes(example_vault, tmp_path):
    ics = tmp_path / "due.ics"
    env = {**os.environ, "TASKSYNC_NOW": NOW}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tasksync", "--vault", str(example_vault), "watch",
         "--ics", str(ics), "--debounce", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not ics.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ics.exists()
        time.sleep(0.5)
        note = example_vault / "Projects" / "Garden Shed Rebuild.md"
        note.write_text(note.read_text() + "\n- [ ] Order a new padlock 📅 2026-12-02\n")
        deadline = time.monotonic() + 10
        while "Order a new padlock" not in ics.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "SUMMARY:Order a new padlock" in ics.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert err.strip().endswith("stopped")
    assert "Traceback" not in err


def test_server_stopping_in_the_middle_of_a_push_is_resumed(make_vault, server, tmp_path):
    notes = {f"n{i:02d}.md": "".join(f"- [ ] task {i}.{j} 📅 2026-12-{1 + j:02d}\n"
                                     for j in range(6)) for i in range(40)}  # fmt: skip
    vault = make_vault(notes)
    before = {p: p.read_bytes() for p in vault.rglob("*.md")}
    db = tmp_path / "push.sqlite"
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x",
           "TASKSYNC_DB": str(db)}  # fmt: skip
    command = [sys.executable, "-m", "tasksync", "--vault", str(vault), "caldav", "sync",
               "--url", server.url, "--calendar", "tasks", "--user", "tester"]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)  # fmt: skip
    # The sync records each VTODO once the server has it: stop the server after 30 of 240.
    deadline = time.monotonic() + 60
    while pushed_so_far(db) < 30 and time.monotonic() < deadline:
        time.sleep(0.005)
    server.crash()  # in the middle of the push
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 7, err
    assert err.startswith("error: the server stopped answering while tasksync pushed"), err
    assert "the next sync sends the rest" in err
    assert "(before that: pushed " in err  # what the sync had done, in the same line
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == before  # notes untouched
    server.start()
    resumed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert "0 conflict(s)" in resumed.stdout
    calendars = [c.get_display_name() for c in server.client().principal().calendars()]
    stored = len(server.calendar().todos(include_completed=True))
    assert stored == 240, (resumed.stdout, calendars, err)  # seen once: 30, under heavy load
    again = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert again.stdout.startswith("pushed 0, removed 0, pulled 0")


def pushed_so_far(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM caldav_state").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
