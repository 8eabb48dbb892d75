"""Tags that run into fields, or begin with a field's emoji, read as the plugin reads them.

The plugin's deserialize() reads the body's end pass by pass, one regex after the other in
its order (priority, the dates, recurrence, on-completion, the tags from the end, then id and
depends-on); its tag is `#` and any run of characters but ASCII punctuation and blanks, emoji
included. So a field's emoji inside a tag is the tag's, unless the field's own regex comes
first in the pass and matches at the end. Each case below is the plugin's reading, traced
through that loop; both of tasksync's paths (the fast one and the grammar's) must give it.
"""

from __future__ import annotations

import pytest

from tasksync.read.parse import _parse


def both_paths(line: str) -> dict:
    fast = _parse([line], "record", "", fast=True)[0]
    grammar = _parse([line], "record", "", fast=False)[0]
    assert fast == grammar
    return grammar


@pytest.mark.parametrize(
    ("line", "tags", "field", "value"),
    [
        # the tags regex runs before id's and depends-on's: the whole run is one tag
        ("- [ ] Ship #team🆔ab12", ["#team🆔ab12"], "task_id", None),
        ("- [ ] Ship #team⛔ab12", ["#team⛔ab12"], "depends_on", None),
        ("- [ ] Ship #team🆔ab12 📅 2026-01-01", ["#team🆔ab12"], "task_id", None),
        ("- [ ] Ship 🆔 xy #team🆔ab12", ["#team🆔ab12"], "task_id", "xy"),
        # ... but after the due date in a pass that began at it (due, then tags, then id)
        ("- [ ] Ship 🆔 ab12 #team", ["#team"], "task_id", "ab12"),
    ],
)
def test_a_tag_running_into_an_id_or_a_dependency_is_one_tag(line, tags, field, value):
    read = both_paths(line)
    assert list(read["tags"]) == tags
    assert read.get(field) == value


@pytest.mark.parametrize(
    ("line", "tags", "field", "value"),
    [
        # a trailing tag that begins with an emoji: taken off the end, the fields before it read
        ("- [ ] Fix bug 📅 2026-01-01 #🔺urgent", ["#🔺urgent"], "due", "2026-01-01"),
        ("- [ ] x 🏁 keep #📅2026-01-630", ["#📅2026-01-630"], "on_completion", "keep"),
        # the due date first (its pass), then the tags regex, before priority's next pass
        ("- [ ] Fix bug #🔺 📅 2026-01-01", ["#🔺"], "priority", "normal"),
        # 🔼 is priority's at the end; the tags regex, later in that pass, takes `#⏬`
        ("- [ ] x #⏬🔼", ["#⏬"], "priority", "medium"),
        # a field's regex that matches at the end comes before the tags regex: no tag
        ("- [ ] x #📅2026-01-01", [], "due", "2026-01-01"),
        ("- [ ] x #🔺", [], "priority", "highest"),
    ],
)
def test_a_tag_beginning_with_a_fields_emoji(line, tags, field, value):
    read = both_paths(line)
    assert list(read["tags"]) == tags
    got = read.get(field)
    if field == "priority":  # no priority read: the plugin's 'normal'
        got = got.value if got is not None else "normal"
    assert (str(got) if field == "due" else got) == value
