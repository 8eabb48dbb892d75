"""The task line `add` writes for what the user typed: date words read as dates (emoji or
Dataview fields), ➕ today added, and anything the plugin would not read as meant refused."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from tasksync.config import global_filter_of
from tasksync.dates import parse_day
from tasksync.errors import UsageError
from tasksync.model import StatusTable, StatusType
from tasksync.read.signifiers import DATAVIEW_KEY_OF_FIELD, SIGNIFIERS, VS16, starters
from tasksync.write.edits import set_date

_DATE_EMOJI = frozenset(emoji for s in SIGNIFIERS if s.value and s.value.startswith("[0-9]")
                        for emoji in (s.emoji, *s.also))  # fmt: skip
_NOT_FIELDS = frozenset(("prefix", "checkbox", "text", "tag", "owner", "block_link"))
_DATAVIEW_DATE = re.compile(
    r"(?P<open>[\[(]) *(?P<key>due|scheduled|start|created|completion|cancelled):: *"
    r"(?P<when>[^\])]*?) *(?P<close>[\])])"
)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATAVIEW_FIELD = re.compile(
    r"[\[(] *(?:"
    + "|".join(sorted({*DATAVIEW_KEY_OF_FIELD.values(), "priority"}, key=len, reverse=True))
    + r") *::[^\])]*[\])]?"
)


def _ends_the_words(token: str) -> bool:
    """Whether ``token`` starts something else than a date's words (a field, tag, owner…)."""
    return token[0] in "#@^[(" or token[0] in _SIGNIFIER_STARTS


_SIGNIFIER_STARTS = frozenset(starters())


def _day_of(words: list[str], today: date, emoji: str) -> tuple[str, int] | None:
    """The longest run of ``words`` that reads as a day (`fri`, `friday next week`, `+3d`),
    as ISO text, and how many words it took; None when no word follows the emoji."""
    run = 0
    while run < len(words) and not _ends_the_words(words[run]):
        run += 1
    first: UsageError | None = None
    for count in range(run, 0, -1):
        try:
            return parse_day(" ".join(words[:count]), today).isoformat(), count
        except UsageError as exc:
            first = first or exc
    if first is not None:
        raise UsageError(f"after {emoji}: {first}") from None
    return None


def dates_as_days(words: str, today: date) -> str:
    """``words`` with the date words after 📅 ⏳ 🛫 ✅ ❌ ➕ (and in `[due:: …]`) as dates."""

    def dataview(match: re.Match[str]) -> str:
        when = match["when"]
        if _ISO_DAY.fullmatch(when):
            return match.group()
        try:
            day = parse_day(when, today).isoformat()
        except UsageError:
            raise UsageError(f"{when!r} after {match['key']}:: is not a date") from None
        return f"{match['open']}{match['key']}:: {day}{match['close']}"

    tokens = _DATAVIEW_DATE.sub(dataview, words).split(" ")
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        out.append(token)
        index += 1
        if token.removesuffix(VS16) in _DATE_EMOJI:
            found = _day_of(tokens[index:], today, token)
            if found is not None:
                out.append(found[0])
                index += found[1]
    return " ".join(out)


def quick_line(text: str, today: date, proposed: bool, statuses: StatusTable,
               triage_tags: tuple[str, ...] = ("#proposed",)) -> str:  # fmt: skip
    """The task line `add` writes for ``text``: its date words as dates, ➕ today added; a
    proposal (``proposed``) marked with the first triage tag (accept and reject remove it)."""
    from tasksync.read.parse import TASK_PREFIX, parse_line
    from tasksync.write.new_text import refusal_in

    words = " ".join(text.split())
    status = "?" if proposed else " "
    given = TASK_PREFIX.match(words)
    if given:  # already a task line: its own checkbox, not a second one
        if proposed and given.group()[-2] not in " ?":
            raise UsageError(f"--proposed adds a proposal, [?]; the text's checkbox says "
                             f"{given.group().strip()[-3:]}: drop one of them")  # fmt: skip
        status = status if proposed else given.group()[-2]
        words = words[given.end() :].strip()
    elif words[:2] in ("- ", "* ", "+ "):  # a list item without its checkbox: the task's words
        words = words[2:].strip()
    if not words:
        raise UsageError("what is the task? give its text")
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in " \t":
            raise UsageError(f"the task holds a control character (U+{ord(char):04X})")
    words = dates_as_days(words, today)
    if proposed and triage_tags and not set(triage_tags) & set(words.split()):
        words += f" {triage_tags[0]}"
    global_filter = global_filter_of(statuses)
    if global_filter and global_filter not in words:  # as the plugin's "Create task" does
        words = f"{global_filter} {words}"
    line = f"- [{status}] {words}"
    task = parse_line(line, statuses)
    if task is None or not task.description:
        raise UsageError(f"{words!r} does not read as a task with a description")
    stranded = [s.emoji for s in SIGNIFIERS if s.emoji in task.description]
    stranded += [m.group() for m in _DATAVIEW_FIELD.finditer(task.description)]
    if stranded:  # the plugin reads fields from the end: one before words is words
        raise UsageError(f"{stranded[0]} is followed by words ({task.description!r}), so it would "
                         "be read as words, not as a field: put the fields last (after the "
                         "@owner)")  # fmt: skip
    if task.problems:  # an impossible date, a rule the plugin cannot read …
        raise UsageError(f"the Tasks plugin would not read it as meant: {task.problems[0]}")
    kinds = [seg.kind for seg in task.segments if seg.kind not in _NOT_FIELDS]
    twice = next((kind for kind in kinds if kinds.count(kind) > 1), None)
    if twice is not None:  # the plugin keeps the leftmost: the other would mean nothing
        raise UsageError(f"the {twice} is given twice; give it once")
    if task.done is not None and task.status_type is not StatusType.DONE:
        raise UsageError("a done date (✅) on a task that is not done: add it as `- [x] …`")
    if task.cancelled is not None and task.status_type is not StatusType.CANCELLED:
        raise UsageError("a cancelled date (❌) on a task that is not cancelled: add it as "
                         "`- [-] …`")  # fmt: skip
    opens_a_comment = refusal_in("utf-8", None, (line,))  # (the note's encoding: at the write)
    if opens_a_comment is not None:
        raise UsageError(opens_a_comment)
    if task.created is None:  # where the plugin reads it: before a block link, in the line's form
        line = set_date(task, "created", today, statuses).raw
    return line
