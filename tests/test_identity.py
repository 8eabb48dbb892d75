"""A task keeps who it is: its id (and calendar UID) survive rewording, moving lines, renaming
or moving its note, and renaming or moving the vault folder; twins are never confused."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tasksync.cli.main import cli
from tasksync.ids import IdParts, Known, carry_ids


def run(vault: Path, *args: str, db: Path | None = None, env: dict[str, str] | None = None):
    options = ["--vault", str(vault), "--today", "2026-11-22"]
    if db is not None:
        options += ["--db", str(db)]
    result = CliRunner().invoke(cli, [*options, *args], env=env)
    assert result.exit_code == 0, result.output
    return result


def ids(vault: Path, **kwargs) -> dict[str, str]:
    """description -> id of every task."""
    records = json.loads(run(vault, "list", "--status", "all", "--json", **kwargs).stdout)
    return {r["description"]: r["id"] for r in records}


def uids(vault: Path, **kwargs) -> dict[str, str]:
    """SUMMARY -> UID in the .ics export."""
    text = run(vault, "ics", "--include-done", **kwargs).stdout.replace("\r\n ", "")
    found, summary = {}, None
    for line in text.splitlines():
        if line.startswith("SUMMARY:"):
            summary = line.removeprefix("SUMMARY:")
        if line.startswith("UID:"):
            uid = line.removeprefix("UID:")
        if line == "END:VEVENT" and summary:
            found[summary] = uid
    return found


NOTE = (
    "# Week\n"
    "- [ ] Call the council about the compost bins 📅 2026-11-24\n"
    "- [ ] Order two more humidity probes 📅 2026-11-25\n"
    "- [ ] Water the seedlings 📅 2026-11-26\n"
)


def test_a_reworded_task_keeps_its_id_and_its_calendar_uid(make_vault):
    vault = make_vault({"Week.md": NOTE})
    before, before_uids = ids(vault), uids(vault)
    note = vault / "Week.md"
    longer = "two more humidity probes for the east bench"
    note.write_text(note.read_text().replace("two more humidity probes", longer))
    after = ids(vault)
    assert (
        after["Order two more humidity probes for the east bench"]
        == (before["Order two more humidity probes"])
    )
    assert (
        uids(vault)["Order two more humidity probes for the east bench"]
        == (before_uids["Order two more humidity probes"])
    )
    assert after["Water the seedlings"] == before["Water the seedlings"]


@pytest.mark.parametrize(
    ("then", "now", "kept"),
    [
        ("Dentist", "Dentist: bring the x-rays", True),
        ("Call Bob", "Call Bob today", True),
        ("Dentist", "Water the ferns", False),
    ],
)
def test_a_short_description_with_words_added_on_its_line_keeps_its_id(make_vault, then, now,
                                                                        kept):  # fmt: skip
    """A description under eight characters was matched by its ratio alone: "Dentist" made
    "Dentist: bring the x-rays" a new task, and a completion on the phone was lost."""
    text = "# Week\n- [ ] Order compost 📅 2026-11-25\n- [ ] {} 📅 2026-11-26\n- [ ] Sweep\n"
    vault = make_vault({"Week.md": text.format(then)})
    before = ids(vault)
    (vault / "Week.md").write_text(text.format(now))
    after = ids(vault)
    assert (after[now] == before[then]) is kept
    assert after["Order compost"] == before["Order compost"]


def test_words_added_to_a_short_description_elsewhere_make_another_task(make_vault):
    vault = make_vault({"Week.md": "- [ ] Dentist\n- [ ] Sweep the yard\n"})
    before = ids(vault)
    (vault / "Week.md").write_text("- [ ] Sweep the yard\n- [ ] Dentist at noon\n- [ ] Mop\n")
    assert ids(vault)["Dentist at noon"] != before["Dentist"]


def test_moved_lines_and_a_new_task_above_keep_every_id(make_vault):
    vault = make_vault({"Week.md": NOTE})
    before = ids(vault)
    lines = NOTE.splitlines(keepends=True)
    reordered = ["- [ ] Water the seedlings 📅 2026-11-26\n", "- [ ] Brand new task\n",
                 lines[0], lines[2], lines[1]]  # fmt: skip
    (vault / "Week.md").write_text("".join(reordered))
    after = ids(vault)
    assert {k: after[k] for k in before} == before
    assert after["Brand new task"] not in before.values()


def test_a_renamed_or_moved_note_keeps_its_tasks_ids(make_vault):
    vault = make_vault({"Week.md": NOTE, "Other.md": "- [ ] Sharpen the hedge shears\n"})
    before = ids(vault)
    (vault / "Archive").mkdir()
    (vault / "Week.md").rename(vault / "Archive" / "Week 47.md")
    assert ids(vault) == before
    # moved again and edited in the same go
    moved = vault / "Archive" / "Week 47.md"
    text = moved.read_text().replace("Water the seedlings", "Water the tomato seedlings")
    moved.unlink()
    (vault / "Done.md").write_text(text)
    after = ids(vault)
    assert after["Water the tomato seedlings"] == before["Water the seedlings"]
    assert (
        after["Call the council about the compost bins"]
        == (before["Call the council about the compost bins"])
    )


def test_twins_keep_their_own_ids_when_one_is_reworded(make_vault):
    vault = make_vault({"n.md": "- [ ] Call Bob\n- [ ] Call Bob\n- [ ] Buy seeds\n"})
    records = json.loads(run(vault, "list", "--status", "all", "--json").stdout)
    first, second = records[0]["id"], records[1]["id"]
    (vault / "n.md").write_text("- [ ] Call Bob\n- [ ] Call Bob about the shed\n- [ ] Buy seeds\n")
    now = json.loads(run(vault, "list", "--status", "all", "--json").stdout)
    assert [r["id"] for r in now[:2]] == [first, second]
    assert len({r["id"] for r in now}) == 3


def test_renaming_the_vault_folder_keeps_ids_uids_and_the_undo_journal(tmp_path, monkeypatch):
    """With the default index location (no --db), as a user runs it."""
    monkeypatch.delenv("TASKSYNC_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    vault = tmp_path / "Garden"
    vault.mkdir()
    (vault / "Week.md").write_text(NOTE.replace("- [ ] Water", "- [?] Water") + "")
    before, before_uids = ids(vault), uids(vault)
    run(vault, "accept", before["Water the seedlings"])
    renamed = tmp_path / "Garden 2026"
    vault.rename(renamed)
    assert ids(renamed) == before
    after_uids = uids(renamed)
    assert before_uids
    assert {summary: after_uids[summary] for summary in before_uids} == before_uids
    assert "undid" in run(renamed, "undo").stdout
    assert "- [?] Water the seedlings" in (renamed / "Week.md").read_text()
    indexes = list((tmp_path / "data" / "tasksync").glob("*.sqlite"))
    assert len(indexes) == 1, indexes


def test_a_copy_of_a_vault_beside_it_gets_an_index_of_its_own(tmp_path, monkeypatch):
    monkeypatch.delenv("TASKSYNC_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    vault = tmp_path / "Garden"
    vault.mkdir()
    (vault / "Week.md").write_text(NOTE)
    ids(vault)
    shutil.copytree(vault, tmp_path / "Garden copy")
    ids(tmp_path / "Garden copy")
    assert len(list((tmp_path / "data" / "tasksync").glob("*.sqlite"))) == 2


def test_an_index_given_for_another_vault_is_refused(make_vault, tmp_path):
    vault = make_vault({"a.md": "- [ ] x\n"})
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.md").write_text("- [ ] y\n")
    db = tmp_path / "shared.sqlite"
    ids(vault, db=db)
    result = CliRunner().invoke(cli, ["--vault", str(other), "--db", str(db), "list"])
    assert result.exit_code == 4
    assert "belongs to the vault" in result.stderr


# -- carry_ids, as a property ---------------------------------------------------------------

words = st.sampled_from(["Call Bob", "Buy seeds", "Water the seedlings", "Fix the shed door",
                         "Order probes", "x"])  # fmt: skip
lines = st.lists(st.tuples(words, st.sampled_from(["", " 📅 2026-01-02", " ⏫"])), max_size=8)


@settings(max_examples=200, deadline=None)
@given(lines, lines, st.sets(st.sampled_from([f"{n:012x}" for n in range(5)])))
def test_carried_ids_are_unique_and_keep_unchanged_lines(old_lines, new_lines, elsewhere):
    old_ids = [f"{n:012x}" for n in range(100, 100 + len(old_lines))]
    old = [Known(key, f"- [ ] {w}{f}", None, w) for key, (w, f) in zip(old_ids, old_lines,
                                                                      strict=True)]  # fmt: skip
    new = [(f"- [ ] {w}{f}", IdParts(None, w)) for w, f in new_lines]
    result = carry_ids("n.md", old, new, taken=lambda key: key in elsewhere)
    assert len(set(result)) == len(result)
    assert not set(result) & (elsewhere - set(old_ids))
    # a line that stands in both, as many times, keeps its id, in order
    for raw in {raw for raw, _ in new}:
        olds = [k.id for k in old if k.raw == raw]
        news = [key for (r, _), key in zip(new, result, strict=True) if r == raw]
        assert news[: len(olds)] == olds[: len(news)]


@pytest.mark.parametrize("count", [1, 3])
def test_ids_stay_unique_in_the_index_after_renames_and_new_notes(make_vault, count):
    vault = make_vault({f"n{i}.md": "- [ ] Call Bob\n- [ ] Buy seeds\n" for i in range(count)})
    ids(vault)
    (vault / "n0.md").rename(vault / "moved.md")
    (vault / "n0.md").write_text("- [ ] Call Bob\n- [ ] Buy seeds\n")  # the old name, anew
    records = json.loads(run(vault, "list", "--status", "all", "--json").stdout)
    assert len({r["id"] for r in records}) == len(records) == 2 * (count + 1)
    assert os.path.exists(vault / "moved.md")
