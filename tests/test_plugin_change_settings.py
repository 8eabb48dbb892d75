"""What a status change writes besides the status follows the plugin's settings in the
vault's data.json (setDoneDate, setCancelledDate, setCreatedDate, recurrenceOnNextLine), and
the plugin's defaults without them."""

from __future__ import annotations

import json

import pytest

from .test_writeback import TODAY, listed, run

SETTINGS = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def completed(make_vault, line: str, settings: dict | None = None, command: str = "done"):
    notes = {"n.md": f"{line}\n"}
    if settings is not None:
        notes[SETTINGS] = json.dumps(settings)
    vault = make_vault(notes)
    [task] = listed(vault)
    result = run(vault, command, task["id"])
    assert result.exit_code == 0, result.output
    return (vault / "n.md").read_text(encoding="utf-8").splitlines()


def test_the_next_occurrence_has_no_created_date_by_default(make_vault):
    """Bug: the next occurrence copied the completed task's ➕ (the plugin drops it)."""
    assert completed(make_vault, "- [ ] water 🔁 every week ➕ 2025-03-01 📅 2026-01-05") == [
        "- [ ] water 🔁 every week 📅 2026-01-12",
        f"- [x] water 🔁 every week ➕ 2025-03-01 📅 2026-01-05 ✅ {TODAY}",
    ]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"setCreatedDate": True},
         ["- [ ] water 🔁 every week 📅 2026-01-12 ➕ {today}",
          "- [x] water 🔁 every week 📅 2026-01-05 ✅ {today}"]),
        ({"recurrenceOnNextLine": True},
         ["- [x] water 🔁 every week 📅 2026-01-05 ✅ {today}",
          "- [ ] water 🔁 every week 📅 2026-01-12"]),
        ({"setDoneDate": False},
         ["- [ ] water 🔁 every week 📅 2026-01-12", "- [x] water 🔁 every week 📅 2026-01-05"]),
        ({"setDoneDate": "yes"},  # not a boolean: the plugin's default
         ["- [ ] water 🔁 every week 📅 2026-01-12",
          "- [x] water 🔁 every week 📅 2026-01-05 ✅ {today}"]),
    ],
    ids=["created-date", "next-line", "no-done-date", "bad-value"],
)  # fmt: skip
def test_completing_follows_the_plugins_settings(make_vault, settings, expected):
    lines = completed(make_vault, "- [ ] water 🔁 every week 📅 2026-01-05", settings)
    assert lines == [line.format(today=TODAY) for line in expected]


def test_rejecting_writes_no_cancelled_date_when_the_plugin_writes_none(make_vault):
    lines = completed(make_vault, "- [?] maybe #proposed", {"setCancelledDate": False}, "reject")
    assert lines == ["- [-] maybe"]
