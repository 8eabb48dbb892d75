"""Pure transitions of one task line: Task -> Task (or lines). Never touches the disk.

Every edit changes the fewest characters it can: it replaces, inserts or removes single
segments of the line, so the rest of the line (spacing, mis-encoded emoji elsewhere, field
order) is kept exactly. A new field is written as the real emoji (or ``[key:: value]`` on a
line that already uses Dataview fields) at the end of the line's fields, before a block link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tasksync.config import global_filter_of
from tasksync.errors import TasksyncError, UsageError
from tasksync.model import Priority, Segment, StatusTable, StatusType, Task
from tasksync.read.parse import parse_task_line
from tasksync.read.prose import repaired
from tasksync.read.signifiers import (
    DATAVIEW_KEY_OF_FIELD,
    EMOJI_OF_FIELD,
    EMOJI_OF_PRIORITY,
    VS16,
    VS16_SPELLINGS,
    canonical_spellings,
)
from tasksync.write.recurrence import RuleError, next_dates, parse_rule

TRIAGE_TAGS = ("#proposed",)
_LINE_SEPARATORS = frozenset("\u2028\u2029")  # not control characters, yet they end a line
_FIELDS = frozenset((*EMOJI_OF_FIELD, "priority"))
_CANONICAL = sorted(
    [*canonical_spellings().items(), *((s, VS16) for s in VS16_SPELLINGS if s != VS16)],
    key=lambda kv: -len(kv[0]),
)


class CannotEdit(TasksyncError):
    """This edit cannot be made to this task (the message says why); the rest of the batch
    goes on."""


@dataclass(frozen=True)
class Change:
    """What an edit makes of one line: the lines that replace it (none: the line goes)."""

    lines: tuple[str, ...]


def _refuse_control_characters(what: str, value: str) -> None:
    """Text the user typed goes into one line of a note: nothing in it may end or garble it."""
    for char in value:
        if unicodedata.category(char) == "Cc" or char in _LINE_SEPARATORS:
            raise UsageError(f"the {what} holds a control character (U+{ord(char):04X}): "
                             "a task line cannot hold one")  # fmt: skip


def _reparse(segments: list[Segment], statuses: StatusTable) -> Task:
    return parse_task_line("".join(s.text for s in segments if s.text), statuses)


def _symbol_for(statuses: StatusTable, status_type: StatusType) -> str:
    try:
        return statuses.symbol_for(status_type)
    except KeyError:
        raise CannotEdit(f"the vault's statuses (its Tasks plugin settings) have no "
                         f"{status_type.value} status to give it") from None  # fmt: skip


def _is_dataview(segments: list[Segment], dataview: bool = False) -> bool:
    """Whether new fields go in Dataview form: the vault's format (``dataview``), or the
    line's own (it holds a Dataview field already)."""
    return dataview or any(s.kind in _FIELDS and s.text.startswith(("[", "(")) for s in segments)


def _field_text(segments: list[Segment], field: str, value: str, dataview: bool = False) -> str:
    if _is_dataview(segments, dataview):
        key = "priority" if field == "priority" else DATAVIEW_KEY_OF_FIELD[field]
        return f"[{key}:: {value}]"
    if field == "priority":
        return EMOJI_OF_PRIORITY[value]
    return f"{EMOJI_OF_FIELD[field]} {value}"


def _insert_at(segments: list[Segment]) -> int:
    """Where a new field goes: after the last segment, but before a trailing block link."""
    end = len(segments)
    while end and segments[end - 1].kind == "text" and not segments[end - 1].text.strip():
        end -= 1
    if end and segments[end - 1].kind == "block_link":
        end -= 1
        while end and segments[end - 1].kind == "text" and not segments[end - 1].text.strip():
            end -= 1
    return end


def _remove(segments: list[Segment], index: int) -> None:
    """Drop segment ``index`` and the one blank (space or tab) before it (so no double gap
    or trailing blank is left). The blank may end a field (the plugin's 🔁 rule runs on
    through the spaces after it): then the blank after the dropped segment goes instead. A
    segment that took the blank after it along (`⛔ a,b `) leaves the one before it."""
    took_its_blank = segments[index].text.endswith((" ", "\t"))
    del segments[index]
    empty = Segment("text", "")  # left by a removal before
    while index < len(segments) and segments[index] == empty:
        del segments[index]
    while index and segments[index - 1] == empty:
        index -= 1
        del segments[index]
    if not index:
        return
    before, blanks = segments[index - 1], (" ", "\t")
    after = segments[index] if index < len(segments) else None
    if not before.text.endswith(blanks) or (took_its_blank and after is not None):
        return
    if before.kind == "text" or after is None:
        segments[index - 1] = Segment(before.kind, before.text[:-1])
    elif after.kind == "text" and after.text.startswith(blanks):
        segments[index] = Segment("text", after.text[1:])


def _spelling_and_value(text: str) -> tuple[str, str]:
    """Split an emoji field into its signifier (as spelled) and the value after it."""
    for position, char in enumerate(text):
        if char.isascii() and (char.isalnum() or char == " "):
            return text[:position], text[position:].lstrip(" ")
    return text, ""


def _set_field(segments: list[Segment], field: str, value: str | None,
               dataview: bool = False) -> None:  # fmt: skip
    indexes = [i for i, s in enumerate(segments) if s.kind == field]
    if value is None:
        for index in reversed(indexes):
            _remove(segments, index)
        return
    if indexes:  # the leftmost one counts; change just its value
        index = indexes[0]
        old = segments[index].text
        if field == "priority":
            new = _field_text(segments, field, value, dataview)
        elif old.startswith(("[", "(")):
            key = old[1:].partition("::")[0]
            closer = old.rstrip(" ,")[-1]
            tail = old[len(old.rstrip(" ,")) :]
            new = f"{old[0]}{key}:: {value}{closer}{tail}"
        else:
            spelled, _ = _spelling_and_value(old)
            new = f"{spelled}{'' if spelled.endswith(' ') else ' '}{value}"
        segments[index] = Segment(field, new)
        return
    at = _insert_at(segments)
    separator = "  " if _is_dataview(segments, dataview) and at > 2 else " "
    added = Segment(field, _field_text(segments, field, value, dataview))
    if at < len(segments) and segments[at].kind == "block_link":
        # The blank the block link needs ends the text before it: the field follows that
        # blank, and the block link gets a blank of its own after the field.
        segments[at:at] = [Segment("text", separator[1:]), added, Segment("text", " ")]
    else:
        segments[at:at] = [Segment("text", separator), added]


def _set_owner(segments: list[Segment], owner: str | None) -> None:
    indexes = [i for i, s in enumerate(segments) if s.kind == "owner"]
    if owner is None:
        for index in reversed(indexes):
            _remove(segments, index)
        return
    name = "@" + owner.lstrip("@").strip()
    if indexes:
        segments[indexes[0]] = Segment("owner", name)
        return
    # After the description, before the first trailing field or tag.
    at = len(segments)
    for index in range(len(segments) - 1, 1, -1):
        kind = segments[index].kind
        if kind in _FIELDS or kind in ("tag", "block_link") or not segments[index].text.strip():
            at = index
            continue
        break
    if at < len(segments) and segments[at - 1].text[-1:].isspace():  # a space, or a tab
        segments[at:at] = [Segment("owner", name), Segment("text", " ")]
    else:
        segments[at:at] = [Segment("text", " "), Segment("owner", name)]


def _set_status(segments: list[Segment], symbol: str) -> None:
    index = next(i for i, s in enumerate(segments) if s.kind == "checkbox")
    segments[index] = Segment("checkbox", f"[{symbol}]")


def _remove_tags(segments: list[Segment], tags: tuple[str, ...]) -> None:
    wanted = {t.casefold() for t in tags}
    # reversed: a removal changes only the segments after the next tag to look at
    for index in reversed([i for i, s in enumerate(segments) if s.kind == "tag"]):
        text = segments[index].text
        # The plugin's tags run on through a tab (`#proposed<tab>#auto`): to the eye, a gap,
        # which stays where the tag goes.
        tag = text.rstrip("\t")
        if tag.casefold() not in wanted:
            continue
        if tag == text:
            _remove(segments, index)
            continue
        segments[index] = Segment("text", text[len(tag) :])
        before = segments[index - 1] if index else None
        if before is not None and before.kind == "text" and before.text.endswith((" ", "\t")):
            segments[index - 1] = Segment("text", before.text[:-1])


def _status_change(segments: list[Segment], task: Task, status_type: StatusType, today: date,
                   statuses: StatusTable) -> None:  # fmt: skip
    _set_status(segments, _symbol_for(statuses, status_type))
    rules = statuses.rules
    for field, kind, enabled in (
        ("done", StatusType.DONE, rules.done_date),
        ("cancelled", StatusType.CANCELLED, rules.cancelled_date),
    ):
        # As the plugin: DONE -> DONE keeps the date; becoming DONE writes today's (a ✅ left
        # on a line reopened by hand is no completion date); any other status drops it.
        if status_type is not kind or task.status_type is not kind:
            stamp = status_type is kind and enabled
            _set_field(segments, field, today.isoformat() if stamp else None, rules.dataview)


# The public edits: each copies the segments, changes them, and reads the line once.


def set_field(task: Task, field: str, value: str | None, statuses: StatusTable) -> Task:
    """Set (or with None remove) a date, recurrence or priority field, in the line's format."""
    if value is not None:
        _refuse_control_characters(field, value)
    segments = list(task.segments)
    _set_field(segments, field, value, statuses.rules.dataview)
    return _reparse(segments, statuses)


def set_priority(task: Task, priority: Priority, statuses: StatusTable) -> Task:
    value = None if priority is Priority.NORMAL else priority.value
    return set_field(task, "priority", value, statuses)


def set_date(task: Task, field: str, value: date | None, statuses: StatusTable) -> Task:
    return set_field(task, field, value.isoformat() if value else None, statuses)


def set_owner(task: Task, owner: str | None, statuses: StatusTable) -> Task:
    """Set (or with None remove) the @owner. An owner that would not read back as itself
    (a `#`, an `@`, a fifth word, a lower-case second word…) is refused, not written."""
    segments = list(task.segments)
    if owner is None:
        _set_owner(segments, None)
        return _reparse(segments, statuses)
    _refuse_control_characters("owner", owner)
    _set_owner(segments, owner)
    edited = _reparse(segments, statuses)
    wanted = owner.lstrip("@").strip()
    if edited.owner != wanted:
        raise UsageError(f"cannot write the owner {wanted!r}: it would not read back as that "
                         "owner (an owner is one to four words of letters, digits, ' and -, "
                         "single-spaced, each word after the first capitalised)")  # fmt: skip
    return edited


def set_status(task: Task, symbol: str, statuses: StatusTable) -> Task:
    _refuse_control_characters("status", symbol)
    segments = list(task.segments)
    _set_status(segments, symbol)
    return _reparse(segments, statuses)


def remove_tags(task: Task, tags: tuple[str, ...], statuses: StatusTable) -> Task:
    segments = list(task.segments)
    _remove_tags(segments, tags)
    return _reparse(segments, statuses)


def _changed_status(task: Task, status_type: StatusType, today: date,
                    statuses: StatusTable) -> list[Segment] | None:  # fmt: skip
    if task.status_type is status_type:
        return None
    segments = list(task.segments)
    _status_change(segments, task, status_type, today, statuses)
    return segments


def _accepted(
    task: Task, statuses: StatusTable, triage_tags: tuple[str, ...]
) -> list[Segment] | None:
    if task.status_type is not StatusType.PROPOSED:
        return None
    segments = list(task.segments)
    _set_status(segments, _symbol_for(statuses, StatusType.TODO))
    _remove_tags(segments, triage_tags)
    return segments


def _rejected(task: Task, today: date, statuses: StatusTable,
              triage_tags: tuple[str, ...]) -> list[Segment] | None:  # fmt: skip
    if task.status_type is not StatusType.PROPOSED:
        return None
    segments = list(task.segments)
    _status_change(segments, task, StatusType.CANCELLED, today, statuses)
    _remove_tags(segments, triage_tags)
    return segments


def _task(task: Task, segments: list[Segment] | None, statuses: StatusTable) -> Task:
    return task if segments is None else _reparse(segments, statuses)


def _line(task: Task, segments: list[Segment] | None) -> str:
    return task.raw if segments is None else "".join(s.text for s in segments)


def change_status(task: Task, status_type: StatusType, today: date,
                  statuses: StatusTable) -> Task:  # fmt: skip
    """The plugin's status change: ✅ on done, ❌ on cancel, each removed on other changes."""
    return _task(task, _changed_status(task, status_type, today, statuses), statuses)


def changed_status_line(task: Task, status_type: StatusType, today: date,
                        statuses: StatusTable) -> str:  # fmt: skip
    """``change_status`` as the line only (no re-reading: for batches of many tasks)."""
    return _line(task, _changed_status(task, status_type, today, statuses))


def accept(task: Task, statuses: StatusTable, triage_tags: tuple[str, ...] = TRIAGE_TAGS) -> Task:
    """A proposed task becomes a to-do; its triage tags go. Anything else is left alone."""
    return _task(task, _accepted(task, statuses, triage_tags), statuses)


def accepted_line(task: Task, statuses: StatusTable,
                  triage_tags: tuple[str, ...] = TRIAGE_TAGS) -> str:  # fmt: skip
    return _line(task, _accepted(task, statuses, triage_tags))


def reject(task: Task, today: date, statuses: StatusTable,
           triage_tags: tuple[str, ...] = TRIAGE_TAGS) -> Task:  # fmt: skip
    """A proposed task is cancelled (``[-]`` with ❌ today); the line stays."""
    return _task(task, _rejected(task, today, statuses, triage_tags), statuses)


def rejected_line(task: Task, today: date, statuses: StatusTable,
                  triage_tags: tuple[str, ...] = TRIAGE_TAGS) -> str:  # fmt: skip
    return _line(task, _rejected(task, today, statuses, triage_tags))


_RECURRING_DATES = ("due", "scheduled", "start")  # the reference date is the first present


def _next_occurrence(task: Task, today: date, statuses: StatusTable,
                     done: str = "x") -> str | None:  # fmt: skip
    """The line of the next occurrence of a recurring task (None when the rule is unreadable,
    as the plugin, which then completes the task without a successor)."""
    try:
        rule = parse_rule(task.recurrence or "")
    except RuleError:
        return None
    # A date that is none (2026-02-30) is there all the same, for the plugin: as the
    # reference date it gives no next occurrence; else it takes the next reference date.
    drop_scheduled = statuses.rules.drop_scheduled
    order = ("due", "start", "scheduled") if drop_scheduled else _RECURRING_DATES
    invalid = [f for f in order
               if any(p.startswith(f"invalid {f} date ") for p in task.problems)]  # fmt: skip
    present = [f for f in order if getattr(task, f) or f in invalid]
    if present and present[0] in invalid:
        return None
    try:
        dates = next_dates(rule, task.due, task.scheduled, task.start, today, drop_scheduled)
    except RuleError:  # ended (`until`, `for 3 times`): completed without a successor
        return None
    except (OverflowError, ValueError):  # datetime's years end at 9999
        raise CannotEdit("its next occurrence would fall after the year 9999") from None
    for name in invalid:
        dates[name] = dates[present[0]]
    segments = list(task.segments)
    _set_status(segments, statuses.recurrence_symbol(done))
    for field in ("done", "cancelled", "id", "depends_on"):
        _set_field(segments, field, None)
    dataview = statuses.rules.dataview
    _set_field(segments, "created", today.isoformat() if statuses.rules.created_date else None,
               dataview)  # fmt: skip
    for index in reversed([i for i, s in enumerate(segments) if s.kind == "block_link"]):
        _remove(segments, index)
    if drop_scheduled and ("due" in dates or "start" in dates):  # as the plugin's setting says
        dates.pop("scheduled", None)
        _set_field(segments, "scheduled", None)
    for field, value in dates.items():
        _set_field(segments, field, value.isoformat(), dataview)
    return "".join(s.text for s in segments)


def complete(task: Task, today: date, statuses: StatusTable) -> tuple[str, ...]:
    """What completing the task writes, as the plugin: the done line (✅ today), and above it
    the next occurrence of a recurring task; `🏁 delete` drops the done line."""
    if task.status_type is StatusType.DONE:
        return (task.raw,)
    return _done_lines(task, changed_status_line(task, StatusType.DONE, today, statuses), today,
                       statuses, _symbol_for(statuses, StatusType.DONE))  # fmt: skip


def _done_lines(task: Task, done_line: str, today: date, statuses: StatusTable,
                done_symbol: str) -> tuple[str, ...]:  # fmt: skip
    """The lines a completion (to the status ``done_symbol``) writes: ``done_line``, unless
    🏁 delete drops it, below the next occurrence of a recurring task (above it, with the
    plugin's `recurrenceOnNextLine`)."""
    following = _next_occurrence(task, today, statuses, done_symbol) if task.recurrence else None
    done = () if task.on_completion == "delete" else (done_line,)
    if following is None:
        return done
    return (*done, following) if statuses.rules.next_below else (following, *done)


def status_set(task: Task, symbol: str, today: date, statuses: StatusTable) -> tuple[str, ...]:
    """`set --status`: the checkbox becomes ``symbol`` as the plugin's status change makes it:
    becoming done, as `done` does (✅ today, a recurring task's next occurrence above, 🏁
    delete); becoming cancelled, ❌ today; else either date goes. The same kind of status
    (`x` to `X`): only the character changes."""
    _refuse_control_characters("status", symbol)
    kind = statuses[symbol].type
    if kind is task.status_type:
        return (set_status(task, symbol, statuses).raw,)
    segments = list(task.segments)
    _status_change(segments, task, kind, today, statuses)
    _set_status(segments, symbol)
    line = "".join(s.text for s in segments)
    if kind is StatusType.DONE:
        return _done_lines(task, line, today, statuses, symbol)
    return (line,)


def repair_text(task: Task, statuses: StatusTable) -> Task:
    """Mis-encoded prose in the task's words (`Vallery‚Äôs`) made right; fields, tags and
    the rest of the line stay as they are."""
    segments = [Segment(s.kind, _repaired_words(s.text)) if s.kind in ("text", "owner") else s
                for s in task.segments]  # fmt: skip
    if all(a.text == b.text for a, b in zip(segments, task.segments, strict=True)):
        return task
    fixed = _reparse(segments, statuses)
    if any(getattr(fixed, name) != getattr(task, name) for name in _FIELDS_KEPT):
        # `ï£¿üìÖ` (mis-encoded twice) is `üìÖ` once repaired: a 📅 of its own
        raise CannotEdit("repairing its words would make a field of them; left as it is")
    return fixed


# Addresses, not words: a link's target, a URL, code — repaired, they would point elsewhere.
# A code span opens with a run of backticks and closes with a run as long (CommonMark).
_NOT_WORDS = re.compile(
    r"\[\[[^\]]*\]\]|\]\([^)]*\)|<?[a-zA-Z][a-zA-Z0-9+.-]*://[^\s>]*"
    r"|(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)"
)
_FIELDS_KEPT = ("status_type", "priority", "due", "scheduled", "start", "created", "done",
                "cancelled", "recurrence", "task_id", "depends_on", "on_completion", "tags",
                "block_link")  # fmt: skip


def _repaired_words(text: str) -> str:
    out, start = [], 0
    for match in _NOT_WORDS.finditer(text):
        out += [repaired(text[start : match.start()]), match.group()]
        start = match.end()
    out.append(repaired(text[start:]))
    return "".join(out)


def with_real_emoji(line: str) -> str:
    """``line`` with every mis-encoded signifier spelled as the real emoji."""
    for spelled, emoji in _CANONICAL:
        if spelled in line:
            line = line.replace(spelled, emoji)
    return line


def repair(task: Task, statuses: StatusTable) -> Task:
    """Mis-encoded signifiers in the task's fields become the real emoji; nothing else changes."""
    segments = list(task.segments)
    changed = False
    for index, seg in enumerate(segments):
        if seg.kind not in _FIELDS:
            continue
        text = seg.text
        for spelled, emoji in _CANONICAL:
            if spelled in text:
                text = text.replace(spelled, emoji)
        if text != seg.text:
            segments[index] = Segment(seg.kind, text)
            changed = True
    return _reparse(segments, statuses) if changed else task


def set_description(task: Task, text: str, statuses: StatusTable) -> Task:
    """Replace the words of the task (its owner, fields, tags and block link stay; tags that
    stood among the words follow the new words). Text that would not read back as itself —
    one holding a field's emoji, say — is refused, not written."""
    _refuse_control_characters("description", text)
    wanted = " ".join(text.split())
    if not wanted:
        raise UsageError("a task needs a description")
    segments = list(task.segments)
    box = next(i for i, s in enumerate(segments) if s.kind == "checkbox")
    end = len(segments)  # the words end with the last text segment that holds any

    def holds_words(segment: Segment) -> bool:
        return segment.kind == "text" and bool(segment.text.strip())

    while end > box + 1 and not holds_words(segments[end - 1]):
        end -= 1
    inline_tags = [s for s in segments[box + 1 : end] if s.kind == "tag"]
    words: list[Segment] = [Segment("text", " " + wanted)]
    for tag in inline_tags:
        words += [Segment("text", " "), tag]
    if end < len(segments) and not segments[end].text.startswith(" "):
        words.append(Segment("text", " "))
    segments[box + 1 : end] = words
    edited = _reparse(segments, statuses)
    if edited.description != wanted:
        raise UsageError(f"cannot write the description {wanted!r}: it would not read back as "
                         "itself")  # fmt: skip
    return edited


def _title_run(segments: tuple[Segment, ...] | list[Segment]) -> tuple[int, int]:
    """Where the title stands: the text and tags from the checkbox to the first segment of
    anything else (the owner, a field, the block link)."""
    start = next(i for i, s in enumerate(segments) if s.kind == "checkbox") + 1
    stop = start
    while stop < len(segments) and segments[stop].kind in ("text", "tag"):
        stop += 1
    return start, stop


def title_of(task: Task, shown: Callable[[str], bool] = lambda _tag: True) -> str:
    """The task's title as a phone shows it: its words with the tags written among and right
    after them, as written (but for tags not ``shown``: the global filter)."""
    start, stop = _title_run(task.segments)
    kept = (s.text for s in task.segments[start:stop] if s.kind == "text" or shown(s.text))
    return " ".join("".join(kept).split())


def set_title(task: Task, text: str, statuses: StatusTable) -> Task:
    """Replace the title (``title_of``) with ``text``, tags and all: the owner, fields and
    block link stay, and so does the global filter. Text that would not read back as the
    title — one holding a field's emoji, say — is refused, not written."""
    _refuse_control_characters("title", text)
    wanted = " ".join(text.split())
    if not wanted:
        raise UsageError("a task needs a description")
    segments = list(task.segments)
    start, stop = _title_run(segments)
    flag = global_filter_of(statuses)
    run = segments[start:stop]
    words = [s for s in run if s.text.strip()]
    if flag and any(s.kind == "tag" and s.text == flag for s in run):
        leading = words[0].kind == "tag" and words[0].text == flag
        new = f" {flag} {wanted}" if leading else f" {wanted} {flag}"
    else:
        new = f" {wanted}"
    segments[start:stop] = [Segment("text", new + (" " if stop < len(segments) else ""))]
    edited = _reparse(segments, statuses)
    if title_of(edited, lambda tag: tag != flag) != wanted:
        raise UsageError(f"cannot write the title {wanted!r}: it would not read back as itself")
    return edited
