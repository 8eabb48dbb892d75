"""Applying edits to the notes, safely. The only module that writes vault files.

For each note: read it fresh, find each task again (its line as indexed, else that exact line
elsewhere in the note, else the task with the same id), apply the edit to what the line says
*now*, and write the note atomically (temporary file in the same folder, fsync, rename),
keeping its encoding, BOM, line endings and final newline. A note that changed while we worked
is read again; a task that cannot be found unambiguously is refused, never guessed.
"""

from __future__ import annotations

import difflib
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tasksync.errors import TasksyncError
from tasksync.ids import task_ids
from tasksync.model import LineChange, StatusTable, Task
from tasksync.read.notes import scan_lines
from tasksync.read.parse import parse_task_lines
from tasksync.read.vault import NoteText, decode
from tasksync.write.files import atomic_write, sync_folders

Edit = Callable[[Task], tuple[str, ...]]  # the lines that replace the task's line


class NoteError(TasksyncError):
    """One note cannot be changed; the rest of the batch goes on."""


@dataclass(frozen=True, slots=True)
class Target:
    """A task as the index last saw it."""

    id: str
    path: str
    line: int
    raw: str


@dataclass
class Outcome:
    changes: list[LineChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0
    diffs: list[str] = field(default_factory=list)


@dataclass
class _Note:
    path: Path
    text: NoteText
    lines: list[str]  # split on "\n"; each keeps its "\r" if it had one
    mtime_ns: int
    size: int

    def line(self, index: int) -> str:
        return self.lines[index].removesuffix("\r")

    def encoded(self) -> bytes:
        body = "\n".join(self.lines).encode(self.text.encoding)
        if self.text.bom and self.text.encoding == "utf-8":
            return b"\xef\xbb\xbf" + body
        return body


def _open_note(vault: Path, rel: str) -> _Note:
    path = vault / rel
    try:
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode):
            raise NoteError(f"{rel} is now a folder, not a note")
        if stat.S_ISLNK(info.st_mode):
            info = path.stat()
        if not info.st_mode & stat.S_IWUSR:
            raise NoteError(f"{rel} is read-only")
        data = path.read_bytes()
    except FileNotFoundError:
        raise NoteError(f"{rel} no longer exists") from None
    except IsADirectoryError:
        raise NoteError(f"{rel} is now a folder, not a note") from None
    except PermissionError:
        raise NoteError(f"{rel} cannot be read (permission denied)") from None
    text = decode(data)
    if text.encoding == "utf-16":
        raise NoteError(f"{rel} is UTF-16; tasksync does not write UTF-16 notes")
    return _Note(path, text, text.text.split("\n"), info.st_mtime_ns, info.st_size)


def _locate(note: _Note, target: Target, statuses: StatusTable) -> int:
    """The index of the target's line in the note as it is now; NoteError when unsure."""
    index = target.line - 1
    if 0 <= index < len(note.lines) and note.line(index) == target.raw:
        return index
    same = [i for i in range(len(note.lines)) if note.line(i) == target.raw]
    if len(same) == 1:
        return same[0]
    found = scan_lines(note.lines, statuses)
    ids = task_ids(target.path, [f.task for f in found])
    matches = [f.line - 1 for f, key in zip(found, ids, strict=True) if key == target.id]
    if len(matches) == 1:
        return matches[0]
    raise NoteError(
        f"{target.path}:{target.line}: the task changed since the last scan and cannot be "
        f"found for sure; nothing written for it (run the command again)"
    )


def _unchanged_since(note: _Note) -> bool:
    try:
        info = note.path.stat()
    except OSError:
        return False
    return (info.st_mtime_ns, info.st_size) == (note.mtime_ns, note.size)


def _edit_note(vault: Path, rel: str, targets: list[Target], edit: Edit,
               statuses: StatusTable, dry_run: bool, outcome: Outcome) -> None:  # fmt: skip
    for _attempt in range(3):
        note = _open_note(vault, rel)
        original = list(note.lines)
        located: list[tuple[int, Target]] = []
        errors: list[str] = []
        for target in targets:
            try:
                located.append((_locate(note, target, statuses), target))
            except NoteError as exc:
                errors.append(str(exc))
        changes: list[LineChange] = []
        unchanged = 0
        # Bottom-up, so that lines added or removed do not move the ones still to edit.
        located.sort(key=lambda pair: -pair[0])
        tasks = parse_task_lines([note.line(index) for index, _ in located], statuses)
        for (index, target), task in zip(located, tasks, strict=True):
            ending = "\r" if note.lines[index].endswith("\r") else ""
            before = note.line(index)
            after = edit(task)
            if after == (before,):
                unchanged += 1
                continue
            note.lines[index : index + 1] = [line + ending for line in after]
            changes.append(LineChange(rel, index + 1, (before,), after, target.id))
        if changes and not dry_run:
            if not _unchanged_since(note):
                continue  # edited by someone else meanwhile: read it again and redo
            atomic_write(note.path, note.encoded(), sync_folder=False)
        if changes and dry_run:
            outcome.diffs.append(_diff(rel, original, note.lines))
        outcome.errors.extend(errors)
        outcome.unchanged += unchanged
        outcome.changes.extend(sorted(changes, key=lambda c: c.line))
        return
    raise NoteError(f"{rel} keeps changing while tasksync writes it; nothing written")


def _diff(rel: str, before: list[str], after: list[str]) -> str:
    old = [line.removesuffix("\r") for line in before]
    new = [line.removesuffix("\r") for line in after]
    return "\n".join(difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}", lineterm=""))


def apply_edits(vault: Path, targets: Iterable[Target], edit: Edit, statuses: StatusTable,
                dry_run: bool = False, outcome: Outcome | None = None) -> Outcome:  # fmt: skip
    """Apply ``edit`` to every target's line; one note failing does not stop the others.

    What is written goes into ``outcome`` note by note, so a caller that passes its own
    still knows what was written when the batch is cut short (Ctrl-C)."""
    by_note: dict[str, list[Target]] = {}
    for target in targets:
        by_note.setdefault(target.path, []).append(target)
    outcome = outcome if outcome is not None else Outcome()
    try:
        for rel in sorted(by_note):
            _edit_one_note(vault, rel, by_note[rel], edit, statuses, dry_run, outcome)
    finally:
        sync_folders((vault / c.path).parent for c in outcome.changes)
    return outcome


def _edit_one_note(vault: Path, rel: str, targets: list[Target], edit: Edit,
                   statuses: StatusTable, dry_run: bool, outcome: Outcome) -> None:  # fmt: skip
    """One note's edits; its failure is recorded in ``outcome``, not raised."""
    tasks = f"{len(targets)} task{'s' if len(targets) != 1 else ''}"
    try:
        _edit_note(vault, rel, targets, edit, statuses, dry_run, outcome)
    except NoteError as exc:
        outcome.errors.append(f"{exc}; {tasks} not changed")
    except OSError as exc:
        outcome.errors.append(f"{rel}: {exc.strerror or exc}; {tasks} not changed")


def revert(vault: Path, changes: list[LineChange]) -> tuple[list[LineChange], list[str]]:
    """Undo ``changes`` where the notes still hold what was written; report the others."""
    reverted: list[LineChange] = []
    problems: list[str] = []
    by_note: dict[str, list[LineChange]] = {}
    for change in changes:
        by_note.setdefault(change.path, []).append(change)
    for rel, note_changes in sorted(by_note.items()):
        try:
            note = _open_note(vault, rel)
        except NoteError as exc:
            problems.append(f"{exc}; not undone")
            continue
        done_here = []
        for change in sorted(note_changes, key=lambda c: -c.line):
            index = _find_block(note, change)
            if index is None:
                problems.append(f"{rel}:{change.line} changed since; left as it is")
                continue
            ending = "\r" if index < len(note.lines) and note.lines[index].endswith("\r") else ""
            count = len(change.after)
            note.lines[index : index + count] = [line + ending for line in change.before]
            done_here.append(change)
        if done_here:
            try:
                atomic_write(note.path, note.encoded())
            except OSError as exc:
                problems.append(f"{rel}: {exc.strerror or exc}; not undone")
                continue
            reverted.extend(done_here)
    return reverted, problems


def _find_block(note: _Note, change: LineChange) -> int | None:
    """Where the lines ``change`` wrote stand now (their old place, else one unique place)."""
    count = len(change.after)

    def holds(index: int) -> bool:
        window = [note.line(i) for i in range(index, index + count) if i < len(note.lines)]
        return window == list(change.after)

    if count == 0:
        return change.line - 1 if change.line - 1 <= len(note.lines) else None
    if holds(change.line - 1):
        return change.line - 1
    places = [i for i in range(len(note.lines) - count + 1) if holds(i)]
    return places[0] if len(places) == 1 else None
