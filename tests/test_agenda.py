"""`tasksync agenda PERSON` (issue 18): what they owe you, what you owe them, what is still
to triage from your meetings, and what got done since you last met."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.query.agenda import Person, note_is_about
from tasksync.query.people import People

TODAY = "2026-11-22"
SEED_MEETING = ("Meetings/2025-10-28 - 1-1 with Alon Horev, MAI Falcon rollout, Project Apollo "
                "entry path, and Azure internal dynamics.md")  # fmt: skip
SEED_TRANSCRIPT = "Sources/Transcripts/2025/2025-10-28 - 1-1 Alon.md"
KEYS = {"person", "since", "they_owe", "you_owe", "to_triage", "done_since"}


def run(vault: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def agenda(vault: Path, *args: str) -> dict[str, object]:
    found = json.loads(run(vault, "agenda", *args, "--json"))
    assert set(found) == KEYS
    return found


def places(tasks: list[dict[str, object]]) -> list[tuple[str, int]]:
    return [(str(t["path"]).rsplit("/", 1)[-1][:16], int(str(t["line"]))) for t in tasks]


def test_example_agenda_sections(example_vault):
    found = agenda(example_vault, "Dana Whitfield", "--since", "2026-11-03")
    assert found["person"] == "Dana Whitfield"
    assert found["since"] == "2026-11-03"
    assert found["they_owe"] == []  # Dana's tasks are all proposed or done
    assert found["you_owe"] == []
    # the proposals of both meetings with her (the 11-16 sync, the 11-02 1:1)
    assert len(found["to_triage"]) == 13
    assert {t["status"] for t in found["to_triage"]} == {"?"}
    # done on or after 11-03, in notes about her: the two transcripts
    assert places(found["done_since"]) == [
        ("2026-11-02 - 1-1", 15), ("2026-11-09 - 1-1", 20), ("2026-11-09 - 1-1", 21),
        ("2026-11-09 - 1-1", 22),
    ]  # fmt: skip


def test_agenda_tasks_are_list_json_objects(example_vault):
    listed = {t["id"]: t for t in json.loads(run(example_vault, "list", "--status", "all",
                                                 "--json"))}  # fmt: skip
    found = agenda(example_vault, "Dana", "--since", "2026-11-01")
    for section in ("to_triage", "done_since"):
        for task in found[section]:
            assert task == listed[task["id"]]
            assert list(task) == list(listed[task["id"]])


def test_an_alias_and_a_first_name_resolve_as_list_owner_does(example_vault):
    whole = agenda(example_vault, "Dana Whitfield", "--since", "2026-11-01")
    assert agenda(example_vault, "DW", "--since", "2026-11-01") == whole
    assert agenda(example_vault, "@dana", "--since", "2026-11-01") == whole


def test_after_accepting_they_owe_and_you_owe(example_vault):
    run(example_vault, "accept", "--all-proposed")
    found = agenda(example_vault, "Dana Whitfield", "--since", "2026-11-03")
    assert found["to_triage"] == []
    assert {t["owner"] for t in found["they_owe"]} == {"Dana", "Dana Whitfield"}
    assert len(found["they_owe"]) == 3
    assert {t["owner"] for t in found["you_owe"]} == {"Myself"}
    # seven @Myself items of the 11-16 sync, three of the 11-02 1:1; not the Inbox's
    # "Sharpen the hedge shears @Myself": that note is not about her
    assert len(found["you_owe"]) == 10


def test_since_defaults_to_fourteen_days_before_today(example_vault):
    found = agenda(example_vault, "Dana Whitfield")
    assert found["since"] == "2026-11-08"
    assert [t["done"] for t in found["done_since"]] == ["2026-11-09", "2026-11-09", "2026-11-12"]


def test_since_defaults_to_the_person_notes_last_contact(example_vault):
    note = example_vault / "People" / "Dana Whitfield.md"
    note.write_text(note.read_text(encoding="utf-8").replace(
        "email: ''", "email: ''\nlast_contact: '2026-11-10'"), encoding="utf-8")  # fmt: skip
    found = agenda(example_vault, "Dana Whitfield")
    assert found["since"] == "2026-11-10"
    assert [t["done"] for t in found["done_since"]] == ["2026-11-12"]


def test_markdown_to_paste_into_the_note(example_vault):
    text = run(example_vault, "agenda", "Dana", "--since", "2026-11-03")
    assert text.startswith("## 1:1 agenda: Dana Whitfield\n")
    for heading in ("### They owe you (0)", "### You owe them (0)", "### To triage (13)",
                    "### Done since (4)"):  # fmt: skip
        assert heading in text
    item = next(line for line in text.splitlines() if "Book the village hall" in line)
    assert re.search(r"— \[2026-11-02 - 1-1 with Dana Whitfield, .*:26\]\(obsidian://open\?"
                     r"vault=vault&file=Meetings%2F2026-11-02%20", item), item  # fmt: skip
    assert re.search(r"`[0-9a-f]{8}`$", item)
    # pasted into a note, no line may become a task of its own
    assert not re.search(r"^\s*[-*+] \[.\]", text, re.MULTILINE)


def test_a_note_is_about_a_person(tmp_path):
    people = People.build([("Alon Horev", ["AH"])], ["Myself"])
    alon = Person("Alon Horev", ("AH",), "People/Alon Horev.md")

    def about(path: str, text: str) -> bool:
        return note_is_about(alon, people, path, text.split("\n"))

    assert about("Meetings/2025-10-28 - 1-1 with Alon Horev.md", "")
    assert about("Meetings/sync with AH.md", "")
    assert about("Meetings/x.md", "---\ntitle: Weekly with Alon Horev\n---\n")
    assert about("Meetings/x.md", "See [[People/Alon Horev|Alon]] about it.")
    assert about("Meetings/x.md", "Met [[Alon Horev]] today.")
    assert about("Meetings/x.md", "---\nattendees: [Jo Bloggs, Alon Horev]\n---\n")
    assert about("Meetings/x.md", "---\nparticipants:\n- Jason\n- Alon Horev\n---\n")
    assert about("Meetings/x.md", "---\nperson: Alon\n---\n")  # a first name only he has
    assert about("x.md", "---\nentities:\n  people:\n  - '[[Alon Horev]]'\n---\n")
    assert not about("Meetings/x.md", "Alon Horev was mentioned in passing.")
    assert not about("Meetings/Alonso.md", "[[Alon Horevich]]")
    assert not about("Meetings/x.md", "---\nparticipants:\n- Jason Vallery\n---\n[[Jason]]")


def test_seed_vault_agenda_for_alon(seed_vault):
    found = agenda(seed_vault, "Alon Horev", "--since", "2025-10-27")
    assert {t["path"] for t in found["to_triage"]} == {SEED_MEETING}
    assert len(found["to_triage"]) == 18
    assert [(t["path"], t["status"]) for t in found["done_since"]] == [(SEED_TRANSCRIPT, "x")] * 11
    assert found["they_owe"] == found["you_owe"] == []
    run(seed_vault, "accept", "--all-proposed")
    found = agenda(seed_vault, "Alon Horev", "--since", "2025-10-27")
    assert found["to_triage"] == []
    assert [(t["path"], t["line"], t["owner"]) for t in found["they_owe"]] == [
        (SEED_MEETING, 31, "Alon Horev"), (SEED_MEETING, 49, "Alon Horev")]  # fmt: skip
    assert len(found["you_owe"]) == 16
    assert {(t["path"], t["owner"]) for t in found["you_owe"]} == {(SEED_MEETING, "Myself")}
    assert len(found["done_since"]) == 11


def test_seed_vault_since_is_alons_last_contact(seed_vault):
    found = agenda(seed_vault, "alon")
    assert found["since"] == "2025-10-28"
    assert len(found["done_since"]) == 11
