"""Planning and writing the edits of one note. The only module that writes vault files.

A note is planned first: read fresh, each task found again (its line as indexed, else that
exact line elsewhere in the note, else the task with the same id — refused when a twin makes
it ambiguous), the edit applied to what the line says *now*. The plan (the note's bytes
before and after) is journaled by the caller, then written atomically: a temporary file in
the same folder, fsync, and — only if the note still holds the bytes the plan was made
from — the rename. Encoding, BOM, line endings and final newline are kept.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import os
import stat
from bisect import insort
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tasksync.config import global_filter_of
from tasksync.errors import TasksyncError
from tasksync.ids import id_key
from tasksync.model import LineChange, StatusTable, Task
from tasksync.read.notes import scan_lines, task_lines
from tasksync.read.parse import parse_task_lines
from tasksync.read.reader import content_hash
from tasksync.read.vault import C1_UNDEFINED_IN_CP1252, FALLBACK_ENCODINGS, NoteText, decode
from tasksync.write.edits import CannotEdit
from tasksync.write.files import (
    ChangedMeanwhile,
    Staged,
    make_durable,
    owner_names,
    put_in_place,
    read_in_place,
    stage,
)
from tasksync.write.new_text import refusal

Edit = Callable[[Task], tuple[str, ...]]  # the lines that replace the task's line
Edits = Edit | Mapping[str, Edit]  # one edit for all, or one per task id
ABSENT = "absent"  # the content hash journaled for a note that did not exist before


def _utf8_bytes(error: UnicodeError) -> tuple[bytes, int]:
    """A character a legacy-encoded note cannot hold goes in as its UTF-8 bytes: the
    spelling that note's other emoji already have (and that tasksync reads back)."""
    assert isinstance(error, UnicodeEncodeError)
    return error.object[error.start : error.end].encode("utf-8"), error.end


def _cp1252_bytes(error: UnicodeError) -> tuple[bytes, int]:
    """As ``_utf8_bytes``, but a C1 control read from a byte Windows-1252 leaves undefined
    goes back as that byte."""
    assert isinstance(error, UnicodeEncodeError)
    char = error.object[error.start]
    if char in C1_UNDEFINED_IN_CP1252:
        return char.encode("latin-1"), error.start + 1
    return char.encode("utf-8"), error.start + 1


codecs.register_error("tasksync-utf8", _utf8_bytes)
codecs.register_error("tasksync-cp1252", _cp1252_bytes)


def encode_as(text: str, encoding: str) -> bytes:
    """``text`` in a note's encoding (what it cannot hold, in UTF-8: see ``_utf8_bytes``)."""
    return text.encode(encoding, "tasksync-cp1252" if encoding == "cp1252" else "tasksync-utf8")


class NoteError(TasksyncError):
    """One note cannot be changed; the rest of the batch goes on."""


@dataclass(frozen=True, slots=True)
class Target:
    """A task as the index last saw it."""

    id: str
    path: str
    line: int
    encoded: bytes  # its line, in UTF-8: a str holding an emoji takes four bytes a character
    twins: int = 1  # tasks of that note, then, with the same description (or 🆔)
    label: str = ""  # its description, for messages
    rank: int = 0  # how many of those twins stood above it

    @classmethod
    def of(cls, id: str, path: str, line: int, raw: str, twins: int = 1,
           label: str = "", rank: int = 0) -> Target:  # fmt: skip
        return cls(id, path, line, raw.encode("utf-8", "surrogatepass"), twins, label, rank)

    @property
    def raw(self) -> str:
        return self.encoded.decode("utf-8", "surrogatepass")


@dataclass
class NotePlan:
    """One note's edits, made on its bytes as read; written only if they still hold."""

    rel: str
    path: Path  # the file to write: a symlink's target, so that the link stays a link
    original: bytes
    text: NoteText
    lines: list[str]  # split on "\n"; each keeps its "\r" if it had one
    changes: list[LineChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0
    left: dict[str, str] = field(default_factory=dict)  # target id -> its line, left as it was
    new: bytes | None = None  # the bytes to write, once the plan is final
    new_hash: str | None = None  # their content hash (ABSENT when the plan removes the note)
    created: bool = False  # the note did not exist: the plan makes it
    made_folders: int = 0  # and how many of its folders (innermost first) it makes with it
    remove: bool = False  # the plan deletes the note (undoing its creation)
    appended: int = 0  # the last changes add lines at the note's end (``plan_append``)
    written: os.stat_result | None = None  # the new file's stat, once written
    after_fields: list[dict[str, Any]] | None = None  # the changed lines parsed, if done ahead
    twinned: dict[int, tuple[int, int]] | None = None  # ``twinned_lines``, kept once dropped
    _positions: dict[str, list[int]] | None = None  # line text -> its indexes (``positions``)

    @cached_property
    def before_hash(self) -> str:
        return ABSENT if self.created else content_hash(self.original)

    def encoded(self) -> bytes:
        body = encode_as("\n".join(self.lines), self.text.encoding)
        if self.text.bom and self.text.encoding != "utf-16":  # utf-16 writes its own
            return b"\xef\xbb\xbf" + body  # a BOM before Windows-1252 text too: kept as found
        return body

    def reverts_exactly(self) -> bool:
        """Whether undoing the changes line for line on what the plan writes gives back
        the note's bytes exactly (then the journal need not keep them): so far checked for
        changes of one line for one, the common case (an accept, a done)."""
        if self.created or self.remove or not self.changes or self.text.encoding != "utf-8":
            return False  # another encoding may not read back what was written (a ✅ in cp1252)
        if any(len(c.before) != 1 or len(c.after) != 1 or not _utf8(c.before[0] + c.after[0])
               for c in self.changes):  # fmt: skip
            return False
        undone = NotePlan(self.rel, self.path, self.original, self.text, list(self.lines))
        for change in self.changes:
            if undone.line(change.line - 1) != change.after[0]:
                return False
            undone.replace(change.line - 1, 1, change.before)
        return undone.encoded() == self.original

    def twinned_lines(self) -> dict[int, tuple[int, int]]:
        """The changes (by ``LineChange.line``) whose written lines the note, as planned,
        holds more than once, each with its rank among those blocks and their count: found
        elsewhere later, such a block may be a twin the user had all along, not the one
        written — the one of its rank is it, while the note holds as many (``Twin``)."""
        if self.twinned is None:
            self.twinned = {}
            built = self._positions is None  # then only for this: not kept (nor sent)
            shift = 0
            for change in self.changes:  # in line order: each one's place as planned
                index = change.line - 1 + shift
                shift += len(change.after) - len(change.before)
                if not change.after:
                    continue
                places = block_places(self, change.after)
                if len(places) > 1:
                    rank = places.index(index) if index in places else -1
                    self.twinned[change.line] = (rank, len(places)) if rank >= 0 else UNKNOWN
            if built:
                self._positions = None
        return self.twinned

    def positions(self) -> dict[str, list[int]]:
        """Each line's text (without its "\\r") -> the indexes holding it, in order."""
        if self._positions is None:
            found: dict[str, list[int]] = {}
            for index, line in enumerate(self.lines):
                found.setdefault(line.removesuffix("\r"), []).append(index)
            self._positions = found
        return self._positions

    def ready_to_send(self) -> None:
        """Make the new bytes, and drop the note's text and lines (most of what a plan
        weighs): a plan made in the planning process travels to the writer without them."""
        self.twinned_lines()
        self.new = self.encoded()
        self.new_hash = ABSENT if self.remove else content_hash(self.new)
        _ = self.before_hash  # worked out here (a cached property travels with the plan)
        self.text = dataclasses.replace(self.text, text="")
        self.lines = []

    def line(self, index: int) -> str:
        return self.lines[index].removesuffix("\r")

    def replace(self, index: int, count: int, new: tuple[str, ...]) -> None:
        """Put ``new`` (lines without endings) where ``count`` lines stood, in the note's
        own line endings (a CRLF note gets no bare LF, and loses no line break)."""
        last = index + count - 1
        inner = "\r" if self.text.newline == "\r\n" else ""
        if count:
            ending = "\r" if self.lines[last].endswith("\r") else ""
        else:  # lines put back before another line: ended as the note's lines are
            ending = inner if index < len(self.lines) else ""
        lines = [line + inner for line in new[:-1]] + [new[-1] + ending] if new else []
        if self._positions is not None and count == len(new):  # no line moves: kept up
            for offset, line in enumerate(new):
                self._positions[self.line(index + offset)].remove(index + offset)
                insort(self._positions.setdefault(line, []), index + offset)
        else:
            self._positions = None
        self.lines[index : index + count] = lines
        if not new and index == len(self.lines) and index > 0:
            # the last line went, and with it the note's end: the line before it becomes the
            # last, without the line break that led to the removed one (as in a LF note)
            self.lines[index - 1] = self.lines[index - 1].removesuffix("\r")

    def diff(self) -> str:
        """A unified diff `git apply` and `patch` take (for a note with LF line endings)."""
        old = _diff_lines(decode(self.original).text.split("\n"))
        new = _diff_lines(self.lines)
        out = difflib.unified_diff(old, new, f"a/{self.rel}", f"b/{self.rel}")
        return "".join(line if line.endswith("\n") else f"{line}\n{_NO_NEWLINE}\n"
                       for line in out).removesuffix("\n")  # fmt: skip


_NO_NEWLINE = "\\ No newline at end of file"


def _diff_lines(lines: list[str]) -> list[str]:
    """A note's lines (split on LF) as difflib takes them: each with its line break, and the
    last without one when the note has no final newline."""
    body = [line.removesuffix("\r") + "\n" for line in lines[:-1]]
    return [*body, lines[-1].removesuffix("\r")] if lines[-1] else body


def _utf8(text: str) -> bool:
    """Whether the text is written in UTF-8 as it is (and so read back the same)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def note_file(vault: Path, rel: str) -> Path:
    """The file behind a vault-relative path — which must lie inside the vault, also after
    following symlinks (a path from the index or the journal is never trusted)."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise NoteError(f"{rel!r} is not a path inside the vault; refused")
    root = os.path.realpath(vault)
    real = os.path.realpath(os.path.join(root, *parts))
    if os.path.commonpath([root, real]) != root:
        raise NoteError(f"{rel} leads outside the vault; refused")
    return Path(real)


def read_for_write(vault: Path, rel: str) -> tuple[Path, bytes]:
    """The note's file and bytes, when it is a regular file tasksync may rewrite."""
    path = note_file(vault, rel)
    try:
        # O_NONBLOCK: a FIFO put in a note's place must not hang us on open
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NoteError(f"{rel} no longer exists") from None
    except IsADirectoryError:
        raise NoteError(f"{rel} is now a folder, not a note") from None
    except PermissionError:
        raise NoteError(f"{rel} cannot be read (permission denied)") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise NoteError(f"{rel} is now a folder, not a note")
        if not stat.S_ISREG(info.st_mode):
            raise NoteError(f"{rel} is not a regular file; tasksync only writes plain files")
        if info.st_nlink > 1:
            raise NoteError(f"{rel} has {info.st_nlink} hard links; tasksync does not rewrite "
                            "hard-linked notes (the links would be split)")  # fmt: skip
        if not _could_keep_owner(info):
            whose = "its group would become yours" if info.st_uid == os.geteuid() \
                else "it would become yours"  # fmt: skip
            raise NoteError(f"{rel} belongs to {owner_names(info.st_uid, info.st_gid)}: "
                            f"rewritten, {whose}, so it is not changed")  # fmt: skip
        if not os.access(path, os.W_OK) or not info.st_mode & stat.S_IWUSR:
            raise NoteError(f"{rel} is read-only")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise NoteError(f"{rel}: its folder is read-only")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return path, handle.read()
    finally:
        os.close(fd)


def _could_keep_owner(info: os.stat_result) -> bool:
    """Whether a rewritten note could keep its owner and group (root's can; a user's only
    when they are its owner, in its group)."""
    euid = os.geteuid()
    return euid == 0 or (info.st_uid == euid and info.st_gid in (os.getegid(), *os.getgroups()))


def open_plan(vault: Path, rel: str) -> NotePlan:
    path, data = read_for_write(vault, rel)
    text = decode(data)
    if text.encoding == "utf-16":
        raise NoteError(f"{rel} is UTF-16; tasksync does not write UTF-16 notes")
    lines = text.text.split("\n")
    if len(lines) == 1 and "\r" in text.text:
        raise NoteError(f"{rel}: its lines end in CR alone (classic Mac OS): tasksync leaves it "
                        "alone; save it with LF line endings")  # fmt: skip
    return NotePlan(rel, path, data, text, lines)


TwinPlaces = dict[object, list[int]]  # a note's tasks' id keys -> their line indexes


def _twins_now(plan: NotePlan, target: Target, statuses: StatusTable,
               known: dict[str, TwinPlaces]) -> tuple[int, int]:  # fmt: skip
    """How many tasks of the note have the same description (or 🆔) as the target's line as
    the index saw it, and where the one of the target's rank among them is now (-1: none).
    By rank, not by the ids the note's lines give now: a twin reworded in tasksync kept its
    id where it stood, so the others' ids need not be the ones their ranks give. The note
    is read once for all its targets (``known``, by the targets' path): 60 twins in a note
    of 50,000 lines read it 60 times (34 s)."""
    listed = scan_lines([target.raw], statuses)
    if len(listed) != 1:
        return 0, -1
    if target.path not in known:
        found: TwinPlaces = {}
        for f in scan_lines(plan.lines, statuses):
            found.setdefault(id_key(target.path, f.task), []).append(f.line - 1)
        known[target.path] = found
    places = known[target.path].get(id_key(target.path, listed[0].task), [])
    return len(places), places[target.rank] if target.rank < len(places) else -1


def _locate(plan: NotePlan, target: Target, statuses: StatusTable,
            known: dict[str, TwinPlaces] | None = None) -> int:  # fmt: skip
    """The index of the target's line in the note as it is now; NoteError when unsure."""
    refused = NoteError(
        f"{target.path}:{target.line}: the task changed since the last scan and cannot be "
        f"found for sure; nothing written for it"
    )
    index, raw = target.line - 1, target.raw
    here = 0 <= index < len(plan.lines) and plan.line(index) == raw
    if target.twins == 1 and here:
        return index
    same = plan.positions().get(raw, [])
    if target.twins == 1 and len(same) == 1:
        return same[0]
    # The task had twins (same description), or its line was rewritten: it is found by its
    # rank among them only while the note has as many of them as the index saw — a twin
    # deleted or added in an editor makes "the first" or "the second" mean another task.
    count, found = _twins_now(plan, target, statuses, {} if known is None else known)
    if count != target.twins:
        raise refused
    if len(same) == 1:  # the line as it was seen, once among as many twins: moved, not changed
        return same[0]
    if found < 0 or (same and found not in same):  # its rank now holds another twin's line
        raise refused
    return found


def plan_edits(vault: Path, rel: str, targets: list[Target], edit: Edits,
               statuses: StatusTable) -> NotePlan:  # fmt: skip
    plan = open_plan(vault, rel)
    located: list[tuple[int, Target]] = []
    tasks_now: set[int] | None = None
    twin_places: dict[str, TwinPlaces] = {}
    for target in targets:
        try:
            index = _locate(plan, target, statuses, twin_places)
        except NoteError as exc:
            plan.errors.append(str(exc))
            continue
        if tasks_now is None:  # the lines read as tasks (not in a code block, a comment …)
            filter_text = global_filter_of(statuses)
            tasks_now = {i for i, _, _ in task_lines(plan.lines, filter_text)}
        if index not in tasks_now:  # an index older than the note (a sync tool kept its time)
            plan.errors.append(f"{target.path}:{index + 1}: the line is no longer a task (in a "
                               "code block or a comment now); nothing written for it")  # fmt: skip
            continue
        located.append((index, target))
    seen: set[int] = set()
    unique = []
    for index, target in located:
        if index in seen:  # two targets found on one line: one of them is not there any more
            plan.errors.append(f"{target.path}:{target.line}: the task cannot be found for "
                               "sure (its twin is gone); nothing written for it")  # fmt: skip
            continue
        seen.add(index)
        unique.append((index, target))
    # Bottom-up, so that lines added or removed do not move the ones still to edit.
    unique.sort(key=lambda pair: -pair[0])
    tasks = parse_task_lines([plan.line(index) for index, _ in unique], statuses)
    for (index, target), task in zip(unique, tasks, strict=True):
        before = plan.line(index)
        try:
            after = (edit[target.id] if isinstance(edit, Mapping) else edit)(task)
        except CannotEdit as exc:
            plan.errors.append(f"{target.path}:{index + 1}: {exc}; nothing written for it")
            continue
        if after == (before,) or _same_bytes(plan.text.encoding, before, after):
            plan.unchanged += 1
            plan.left[target.id] = before
            continue
        refused = refusal(plan.text, before, after)
        if refused is not None:
            plan.errors.append(f"{target.path}:{index + 1}: {refused}; nothing written for it")
            continue
        plan.replace(index, 1, after)
        plan.changes.append(LineChange(rel, index + 1, (before,), after, target.id))
    plan.changes.sort(key=lambda c: c.line)
    return plan


def _same_bytes(encoding: str, before: str, after: tuple[str, ...]) -> bool:
    """Whether a line rewritten in a note that is not UTF-8 would be written as the bytes it
    holds (the UTF-8 of an emoji tasksync wrote into a Windows-1252 note reads mis-encoded;
    "repaired", it is the same bytes)."""
    if encoding == "utf-8" or len(after) != 1:
        return False
    try:
        return encode_as(after[0], encoding) == encode_as(before, encoding)
    except UnicodeError:
        return False


def write_plan(plan: NotePlan) -> None:
    """Write the planned bytes, unless the note changed since it was read (then
    ``files.ChangedMeanwhile``: plan again on what it holds now)."""
    staged = stage_plan(plan)
    make_durable([staged] if staged is not None else [])
    place_plan(plan, staged)


def stage_plan(plan: NotePlan) -> Staged | None:
    """The plan's new bytes in a temporary file beside the note, not yet flushed to disk
    (``files.make_durable``) nor in place (``place_plan``); None for a plan that removes
    the note."""
    if plan.remove:
        return None
    if plan.created and plan.path.exists():
        raise ChangedMeanwhile(str(plan.path))  # made by someone else meanwhile
    try:
        for level in reversed(range(plan.made_folders)):
            plan.path.parents[level].mkdir(exist_ok=True)
        return stage(plan.path, plan.new if plan.new is not None else plan.encoded())
    except BaseException:  # a full disk: the folders made for the note go with it
        remove_made_folders(plan.path, plan.made_folders)
        raise


def place_plan(plan: NotePlan, staged: Staged | None) -> None:
    """Put the staged bytes (on disk by now) in the note's place — only if it still holds
    the bytes the plan was made from (else ``files.ChangedMeanwhile``)."""
    if staged is None:
        try:
            if read_in_place(plan.path) != plan.original:
                raise ChangedMeanwhile(str(plan.path))
        except OSError:
            raise ChangedMeanwhile(str(plan.path)) from None
        os.unlink(plan.path)
        remove_made_folders(plan.path, plan.made_folders)
        return
    put_in_place(staged, None if plan.created else plan.original)
    plan.written = staged.written


def plan_append(vault: Path, rel: str, new_lines: tuple[str, ...],
                plan: NotePlan | None = None) -> NotePlan:  # fmt: skip
    """Add lines at the end of a note (made, with its folder, when it does not exist), or of
    the ``plan`` already made of it (its other edits, in the same batch)."""
    try:
        plan = plan or open_plan(vault, rel)
    except NoteError:
        path = note_file(vault, rel)
        if path.exists() or path.is_symlink():
            raise
        missing = 0  # its folders that do not exist yet: made when it is written
        while not path.parents[missing].exists():
            missing += 1
        text = decode(b"")
        plan = NotePlan(rel, path, b"", text, [""], created=True, made_folders=missing)
    refused = refusal(plan.text, None, new_lines)
    if refused is not None:
        raise NoteError(f"{rel}: {refused}; not added")
    inner = "\r" if plan.text.newline == "\r\n" else ""
    ends_with_break = plan.lines[-1] == ""
    if ends_with_break:
        at = len(plan.lines) - 1
        plan.lines[at:at] = [line + inner for line in new_lines]
    else:
        plan.lines[-1] += inner
        at = len(plan.lines)
        plan.lines.extend([line + inner for line in new_lines[:-1]] + [new_lines[-1]])
    read = {index for index, _, _ in task_lines(plan.lines)}
    if any(at + offset not in read for offset in range(len(new_lines))):
        raise NoteError(f"{rel} ends inside a code block or a comment left open: a line added "
                        "there would be no task; not added (close it, or add to another "
                        "note)")  # fmt: skip
    for offset, line in enumerate(new_lines):
        plan.changes.append(LineChange(rel, at + offset + 1, (), (line,)))
    plan.appended += len(new_lines)
    return plan


def remove_made_folders(path: Path, levels: int) -> None:
    """Remove the ``levels`` innermost folders of ``path`` that a batch made for it, while
    they are empty (one that holds anything now is someone's: it stays, and those above)."""
    for level in range(levels):
        try:
            os.rmdir(path.parents[level])
        except OSError:
            return


def plan_revert(vault: Path, rel: str, changes: list[LineChange], original: bytes | None,
                written_hash: str | None, was_absent: bool = False, made_folders: int = 0,
                before_hash: str | None = None,
                twinned: Mapping[int, Twin] | None = None) -> NotePlan:  # fmt: skip
    """Undo ``changes`` in one note. When the note still holds exactly what the batch wrote,
    its bytes from before the batch come back whole (a note the batch made is removed):
    from the journal's copy, or — once the journal has let it go — by putting each change's
    old lines back in its place, checked against ``before_hash``. Else each change is
    reverted where the lines it wrote still stand, and the others are reported."""
    plan = open_plan(vault, rel)
    as_written = content_hash(plan.original) == written_hash
    if as_written and original is None and before_hash not in (None, ABSENT):
        restored = _restored_in_place(plan, changes, before_hash)
        if restored is not None:
            return restored
    if was_absent and as_written:
        plan.remove, plan.made_folders = True, made_folders
        plan.changes = _reversed(changes)
        return plan
    if original is not None and as_written:
        text = decode(original)
        plan.text, plan.lines = text, text.text.split("\n")
        plan.changes = _reversed(changes)
        return plan
    changes = [_as_read_in(plan.text.encoding, change) for change in changes]
    before_lines = decode(original).text.split("\n") if original is not None else None
    written = _as_written(before_lines, changes) if before_lines is not None else None
    # Each change is found in the note as it is now (a twin's rank counts the twins there
    # before any is reverted), then reverted bottom-up, where no other one was.
    found: list[tuple[int, LineChange]] = []
    for change in sorted(changes, key=lambda c: -c.line):
        twin = (twinned or {}).get(change.line)
        index = None
        if twin is not None and written is not None and change.after:
            index = _by_context(plan, change, *written)
        if index is None:
            index = _find_block(plan, change, twin)
        if index is None and not change.after and before_lines is not None:
            index = _place_of_removed(plan, change, before_lines)
        if index is None:
            plan.errors.append(f"{rel}:{change.line} changed since; left as it is")
        else:
            found.append((index, change))
    free_above = len(plan.lines)  # the lines from here down are reverted already
    for index, change in sorted(found, key=lambda pair: (-pair[0], -pair[1].line)):
        if index + len(change.after) > free_above:
            plan.errors.append(f"{rel}:{change.line} changed since; left as it is")
            continue
        plan.replace(index, len(change.after), change.before)
        plan.changes.append(LineChange(rel, index + 1, change.after, change.before,
                                       change.task_id))  # fmt: skip
        free_above = index
    plan.changes.sort(key=lambda c: c.line)
    return plan


def _as_read_in(encoding: str, change: LineChange) -> LineChange:
    """The change with the lines it wrote as they read in a note in ``encoding``: an emoji
    written into a Windows-1252 note is in UTF-8 there, and reads as `ðŸ“…`."""
    if encoding in ("utf-8", "utf-16"):
        return change
    errors = "tasksync-c1" if encoding == "cp1252" else "strict"
    try:
        after = tuple(encode_as(line, encoding).decode(encoding, errors) for line in change.after)
    except UnicodeError:
        return change
    return dataclasses.replace(change, after=after)


def _restored_in_place(plan: NotePlan, changes: list[LineChange],
                       before_hash: str) -> NotePlan | None:  # fmt: skip
    """The note (exactly as the batch wrote it) with each change's old lines put back in its
    place, if that gives the bytes it had (``before_hash``); else None.

    The work is on the bytes, seen one character a byte (Latin-1): every line the batch did
    not change stays byte for byte, whatever its encoding — a batch may have made a
    Windows-1252 note valid UTF-8 (its new emoji are written in UTF-8) — and the old lines
    are tried in each encoding the batch may have read them in."""
    if plan.text.encoding == "utf-16":
        return None  # its lines are not split on a newline byte
    bom = b"\xef\xbb\xbf" if plan.original.startswith(b"\xef\xbb\xbf") else b""
    view = dataclasses.replace(plan.text, text=plan.original[len(bom) :].decode("latin-1"),
                               encoding="latin-1", bom=False)  # fmt: skip
    for encoding in dict.fromkeys((plan.text.encoding, "utf-8", *FALLBACK_ENCODINGS)):
        trial = NotePlan(plan.rel, plan.path, plan.original, view, view.text.split("\n"))
        for change in sorted(changes, key=lambda c: c.line):  # each above is as it was
            old = tuple(encode_as(line, encoding).decode("latin-1")
                        for line in change.before)  # fmt: skip
            trial.replace(change.line - 1, len(change.after), old)
        restored = bom + trial.encoded()
        if content_hash(restored) == before_hash:  # the plan holds them as any note read
            text = decode(restored)
            plan.text, plan.lines = text, text.text.split("\n")
            plan.new, plan.new_hash, plan.changes = restored, before_hash, _reversed(changes)
            return plan
    return None


def _place_of_removed(plan: NotePlan, change: LineChange, before: list[str]) -> int | None:
    """Where lines the batch removed (a done task with `🏁 delete`) go back in a note edited
    since: beside the line that stood above them — or else below — in the note before, when
    that line is found once there and once now; else nowhere (None)."""
    now = [plan.line(i) for i in range(len(plan.lines))]
    then = [line.removesuffix("\r") for line in before]
    at = change.line - 1
    written = then[:at] + then[at + len(change.before) :]
    if not "".join(written):  # the batch left the note empty: they were all of it
        return 0
    neighbours = [(at - 1, 1), (at + len(change.before), 0)]  # (index then, offset now)
    for index, offset in neighbours:
        if 0 <= index < len(then) and then.count(then[index]) == 1 \
                and now.count(then[index]) == 1:  # fmt: skip
            return now.index(then[index]) + offset
    return _aligned_place(written, at, now)


def _aligned_place(written: list[str], at: int, now: list[str]) -> int | None:
    """Where the gap before ``written[at]`` is in ``now``: the note as the batch wrote it
    matched to the note now, line runs kept whole (an edit elsewhere — a line typed above,
    below — leaves the lines around the gap together, even when they are blank lines or
    twins, which no unique neighbour places). Only inside a run of two lines or more that
    holds a neighbour of the gap: a lone blank line matched says nothing."""
    matcher = difflib.SequenceMatcher(None, written, now, autojunk=False)
    for first, first_now, size in matcher.get_matching_blocks():
        if size < 2:
            continue
        if first < at <= first + size:  # the line above the gap is in the run
            return first_now + at - first
        if first == at:  # the line below it starts the run
            return first_now
    return None


def _as_written(before: list[str], changes: list[LineChange]) -> tuple[list[str], dict[int, int]]:
    """The note's lines as the batch wrote them (``before``: as it found them), and where
    each change's lines stood in it (by the change's line)."""
    lines = [line.removesuffix("\r") for line in before]
    ordered = sorted(changes, key=lambda c: c.line)
    for change in reversed(ordered):  # bottom-up: the lines above keep their places
        lines[change.line - 1 : change.line - 1 + len(change.before)] = list(change.after)
    where, shift = {}, 0
    for change in ordered:
        where[change.line] = change.line - 1 + shift
        shift += len(change.after) - len(change.before)
    return lines, where


CONTEXT = 3  # lines above and below a twin that tell it from the others


def _by_context(plan: NotePlan, change: LineChange, written: list[str],
                where: dict[int, int]) -> int | None:  # fmt: skip
    """Which of the places holding a twin's lines now is the one the batch wrote: the one
    whose neighbours are those it had when written, when one alone has the most of them (a
    section moved in the note puts another twin at its rank)."""
    places = block_places(plan, change.after)
    at = where.get(change.line)
    if len(places) < 2 or at is None:
        return None
    count, now = len(change.after), [plan.line(i) for i in range(len(plan.lines))]
    # Blank lines and the twins' own lines are everywhere: they tell no place from another.
    telling = [bool(line.strip()) and line not in change.after for line in written]

    def alike(place: int) -> float:
        score = 0.0
        for step in range(1, CONTEXT + 1):
            pairs = ((place - step, at - step), (place + count - 1 + step, at + count - 1 + step))
            score += sum(1 / step for i, j in pairs if 0 <= i < len(now) and
                         0 <= j < len(written) and telling[j] and now[i] == written[j])  # fmt: skip
        return score

    scores = sorted(((alike(p), p) for p in places), reverse=True)
    best, runner_up = scores[0][0], scores[1][0]
    return scores[0][1] if best > runner_up else None


def _reversed(changes: list[LineChange]) -> list[LineChange]:
    """What undoing ``changes`` writes: each one's lines back the other way."""
    return [LineChange(c.path, c.line, c.after, c.before, c.task_id) for c in changes]


Twin = tuple[int, int]  # (rank among the note's identical blocks, their count) when written
UNKNOWN: Twin = (0, 0)  # twinned, rank not journaled (an older journal): only its own place


def holds_change(plan: NotePlan, change: LineChange, twin: Twin | None = None) -> bool:
    """Whether the note holds the lines ``change`` wrote (at their place, or one unique
    place; a ``twin``: the one of its rank, see ``NotePlan.twinned_lines``)."""
    return _find_block(plan, change, twin) is not None


def block_places(plan: NotePlan, block: tuple[str, ...]) -> list[int]:
    """The indexes where the note holds the lines ``block``, in order."""
    count = len(block)
    return [i for i in plan.positions().get(block[0], ())
            if count == 1 or [plan.line(j) for j in range(i, min(i + count, len(plan.lines)))]
            == list(block)]  # fmt: skip


def _find_block(plan: NotePlan, change: LineChange, twin: Twin | None = None) -> int | None:
    """Where the lines ``change`` wrote stand now: their old place, else one unique place;
    a twin (the note held them more than once when written), the one of its rank while
    the note holds as many — a line moved by an edit above it is not taken for another's."""
    count = len(change.after)

    def holds(index: int) -> bool:
        window = [plan.line(i) for i in range(index, index + count) if i < len(plan.lines)]
        return window == list(change.after)

    if count == 0:
        return None  # a removed line's place cannot be told once the note changed
    if twin is None and holds(change.line - 1):
        return change.line - 1
    places = block_places(plan, change.after)
    if twin is None:
        return places[0] if len(places) == 1 else None
    if twin == UNKNOWN:
        return change.line - 1 if holds(change.line - 1) else None
    rank, total = twin
    return places[rank] if len(places) == total else None
