"""`repair --text` and `add` on the text users really have (each test: a bug found by
driving the commands as a user)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.read.prose import repaired


def run(vault: Path, *args: str):
    return CliRunner().invoke(cli, ["--vault", str(vault), "--today", "2026-01-08", *args])


@pytest.mark.parametrize(("text", "expected"), [
    ("He said â€œhiâ€ then left", "He said “hi” then left"),
    ("Label â€œaâ€ and â€œbâ€ done", "Label “a” and “b” done"),
    ("Call â€œBobâ€", "Call “Bob”"),
    ("Call â€œBobâ€\x9d today", "Call “Bob” today"),  # the byte kept, as a C1 control
    ("a dagger â€\xa0 stays one", "a dagger † stays one"),
])  # fmt: skip
def test_a_closing_quote_whose_last_byte_was_lost_is_repaired_as_the_quote(text, expected):
    """`”` is E2 80 9D; Windows-1252 has no 0x9D, so a pipeline drops it: `â€` then stands
    before a space, and ftfy took the space for the 0xA0 of a dagger (`“hi†then`)."""
    assert repaired(text) == expected


def test_repair_text_writes_the_quote_not_a_dagger(make_vault):
    vault = make_vault({"a.md": "- [ ] He said â€œhiâ€ then left 📅 2026-01-05\n"})
    result = run(vault, "repair", "--text")
    assert result.exit_code == 0, result.output
    assert (vault / "a.md").read_text(encoding="utf-8") == (
        "- [ ] He said “hi” then left 📅 2026-01-05\n"
    )


def test_repair_text_never_spoils_a_line_obsidian_reads_right(make_vault):
    """A UTF-8 note with one pasted Windows-1252 byte is read as Windows-1252, so its UTF-8
    lines look mis-encoded to tasksync: `repair --text` rewrote them in Windows-1252 bytes,
    and Obsidian (which reads UTF-8) showed `R�union`."""
    good = "- [ ] Réunion à l’hôtel 📅 2026-01-05\n".encode()
    vault = make_vault({"a.md": good + b"- [ ] pasted Caf\xe9\n"})
    result = run(vault, "repair", "--text")
    assert (vault / "a.md").read_bytes() == good + b"- [ ] pasted Caf\xe9\n"
    assert result.exit_code == 1, result.output
    assert "save the note as UTF-8" in result.stderr, result.output


@pytest.mark.parametrize("code", ['``sed "s/Ã©/é/"``', "``Ã©``", "```a ` Ã© b```", "`Ã©`"])
def test_repair_text_leaves_code_spans_of_any_backtick_run_alone(make_vault, code):
    """Code between double backticks (CommonMark: a run of n backticks closes with n) was
    "repaired": ``sed "s/Ã©/é/"`` became ``sed "s/é/é/"``, another command."""
    line = f"- [ ] Run {code} in Borkerâ€™s shell\n"
    vault = make_vault({"a.md": line})
    result = run(vault, "repair", "--text")
    assert result.exit_code == 0, result.output
    assert (vault / "a.md").read_text(encoding="utf-8") == line.replace("â€™", "’")


@pytest.mark.parametrize("words", ["Pay rent [due:: fri] soon", "Pay rent (due:: 2026-01-09) ok",
                                   "Pay rent [priority:: high] today"])  # fmt: skip
def test_add_refuses_a_dataview_field_followed_by_words(make_vault, words):
    """`add "Pay rent [due:: fri] soon"` wrote the line (exit 0) but the plugin reads fields
    only at the end of the line: no due date (the emoji form is refused, exit 2)."""
    vault = make_vault({"Inbox.md": ""})
    result = run(vault, "add", words)
    assert result.exit_code == 2, result.output
    assert "followed by words" in result.output, result.output
    assert (vault / "Inbox.md").read_text(encoding="utf-8") == ""


@pytest.mark.parametrize("inbox", ["symlink", "cp1252"])
def test_add_prints_the_new_tasks_id_into_any_inbox(make_vault, inbox):
    """Into a symlinked inbox, or a Windows-1252 one, `add` printed `added  - [ ] …` with no
    id (the index holds the link's target, and the emoji as they read there)."""
    vault = make_vault({"real/target.md": "- [ ] one\n", "cp.md": b"- [ ] Caf\xe9\n"})
    if inbox == "symlink":
        (vault / "Inbox.md").symlink_to("real/target.md")
    note = "Inbox.md" if inbox == "symlink" else "cp.md"
    result = run(vault, "add", "--note", note, "Water the seedlings 📅 fri")
    assert result.exit_code == 0, result.output
    listed = run(vault, "list", "--status", "all")
    [task_id] = [line.split("\t")[0] for line in listed.stdout.splitlines() if "seedlings" in line]
    assert result.stdout.startswith(f"{task_id[:8]}  Water the seedlings"), result.stdout


@pytest.mark.parametrize(
    ("words", "line"),
    [("- buy milk", "- [ ] buy milk ➕"), ("-5 degrees tonight", "- [ ] -5 degrees tonight")],
)
def test_add_takes_words_after_a_dash_or_a_negative_number(make_vault, words, line):
    """`add "- buy milk"` failed with "No such option '- '" (exit 2)."""
    vault = make_vault({"Inbox.md": ""})
    result = run(vault, "add", words)
    assert result.exit_code == 0, result.output
    assert (vault / "Inbox.md").read_text(encoding="utf-8").startswith(line), result.output
