"""Which files are the vault's notes, and their bytes as text (encoding, BOM, line endings)."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from tasksync.errors import VaultError

# Tried in order after UTF-8. Windows-1252 is read as browsers read it, its five undefined
# bytes as the C1 controls of the same number ("tasksync-c1"), so it reads any bytes: a note
# that also holds an emoji written in UTF-8 (❌ has a 0x9D) still reads its “quotes” right.
# Latin-1 stays listed for notes an older tasksync journaled as Latin-1.
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
C1_UNDEFINED_IN_CP1252 = frozenset("\x81\x8d\x8f\x90\x9d")


def _c1_for_undefined(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("tasksync-c1", _c1_for_undefined)


class NoteFile(NamedTuple):  # a tuple: a vault's walk makes thousands
    rel: str  # vault-relative, with "/"
    path: str
    mtime_ns: int
    size: int


@dataclass(frozen=True, slots=True)
class NoteText:
    text: str  # without the BOM
    encoding: str
    bom: bool
    newline: str  # "\n", "\r\n", or "" when the note has no line break
    final_newline: bool

    @property
    def is_utf8(self) -> bool:
        return self.encoding.startswith("utf-")


def check_vault(root: Path) -> Path:
    if not root.exists():
        raise VaultError(f"vault not found: {root}")
    if not root.is_dir():
        raise VaultError(f"vault is not a folder: {root}")
    return root


def iter_notes(root: Path, skipped: list[str] | None = None) -> Iterator[NoteFile]:
    """Every ``.md`` note below ``root``, sorted by path.

    Dot-folders (``.obsidian``, ``.trash``, ``.git`` …) and dot-files are skipped; a symlink
    is followed only when it points inside the vault, and each folder is visited once; a
    symlink to a note of the vault is not a second note (its target is listed). What cannot
    be a note — a name that is not UTF-8, a FIFO or device named ``.md`` — and what cannot
    be read or lies outside the vault (a folder without permission, a link out of it) is
    skipped and said in ``skipped``.
    """
    real_root = os.path.realpath(check_vault(root))
    seen_dirs = {real_root}
    stack = [("", str(root))]
    found: list[NoteFile] = []
    said = skipped if skipped is not None else []
    while stack:
        rel_dir, dir_path = stack.pop()
        try:
            entries = list(os.scandir(dir_path))
        except OSError as exc:  # nothing of it can be listed
            said.append(f"skipped {_shown(rel_dir) or 'the vault folder'}: "
                        f"{exc.strerror or exc}")  # fmt: skip
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_dir}{entry.name}"
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if os.path.commonpath([real_root, target]) != real_root:
                        if entry.is_dir() or entry.name.endswith(".md"):
                            said.append(f"skipped {_shown(rel)}{'/' * entry.is_dir()}: a link "
                                        "to outside the vault (tasksync reads and writes only "
                                        "inside it)")  # fmt: skip
                        continue
                    if entry.is_file() and _listed_itself(real_root, target):
                        continue
                if entry.is_dir():
                    real = os.path.realpath(entry.path)
                    if real not in seen_dirs:
                        seen_dirs.add(real)
                        stack.append((rel + "/", entry.path))
                elif entry.name.endswith(".md"):
                    if not _is_utf8(rel):
                        said.append(f"skipped {_shown(rel)}: its name is not valid UTF-8")
                    elif not entry.is_file():
                        said.append(f"skipped {rel}: not a regular file")
                    else:
                        st = entry.stat()
                        found.append(NoteFile(rel, entry.path, st.st_mtime_ns, st.st_size))
            except OSError:
                continue  # vanished or unreadable while listing
    found.sort(key=lambda n: n.rel)
    yield from found


def is_note_path(rel: str) -> bool:
    """Whether a vault-relative path names a file the walk reads as a note: ``.md``, inside
    the vault, in no dot-folder."""
    return rel.endswith(".md") and all(part and not part.startswith(".")
                                       for part in rel.split("/"))  # fmt: skip


def _listed_itself(real_root: str, target: str) -> bool:
    """Whether the walk lists ``target`` (a real path inside the vault) as a note."""
    parts = os.path.relpath(target, real_root).split(os.sep)
    return target.endswith(".md") and not any(p.startswith(".") for p in parts)


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as lone surrogates
        return False
    return True


def _shown(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def decode(data: bytes) -> NoteText:
    """Bytes -> text, remembering how to write them back unchanged."""
    bom = data.startswith(codecs.BOM_UTF8)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding, bom = data.decode("utf-16"), "utf-16", True
    else:
        if bom:
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", "tasksync-c1"), "cp1252"
    first_break = text.find("\n")
    if first_break < 0:
        newline = ""
    else:
        newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    return NoteText(text, encoding, bom, newline, text.endswith("\n"))


def note_encoding(vault: Path, rel: str) -> str:
    """The encoding a note is read in (UTF-8 for one that does not exist: so it is made)."""
    try:
        return decode((vault / rel).read_bytes()).encoding
    except OSError:
        return "utf-8"


def read_note(path: Path) -> NoteText:
    return decode(path.read_bytes())
