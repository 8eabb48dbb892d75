"""Which files are the vault's notes, and how their bytes become text."""

from __future__ import annotations

import os

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tasksync.errors import VaultError
from tasksync.read.vault import decode, iter_notes


def test_only_markdown_outside_dot_folders(make_vault):
    root = make_vault({
        "a.md": "x", "sub/b.md": "x", "c.txt": "x", "d.canvas": "x",
        ".obsidian/e.md": "x", ".trash/f.md": "x", "sub/.hidden/g.md": "x", ".h.md": "x",
    })  # fmt: skip
    assert [n.rel for n in iter_notes(root)] == ["a.md", "sub/b.md"]


def test_symlinks_leaving_the_vault_are_not_followed(make_vault, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("- [ ] not mine")
    root = make_vault({"a.md": "x", "inner/b.md": "x"})
    os.symlink(outside, root / "escape")
    os.symlink(outside / "secret.md", root / "escape.md")
    os.symlink(root / "inner", root / "alias")
    os.symlink(root, root / "inner" / "loop")
    rels = [n.rel for n in iter_notes(root)]
    assert "escape/secret.md" not in rels
    assert "escape.md" not in rels
    assert rels.count("a.md") == 1
    assert sum(r.endswith("b.md") for r in rels) == 1  # the folder is visited once


def test_missing_vault_is_a_clear_error(tmp_path):
    with pytest.raises(VaultError, match="vault not found"):
        list(iter_notes(tmp_path / "nope"))


@pytest.mark.parametrize(
    ("data", "encoding", "bom", "newline", "final"),
    [
        (b"a\nb\n", "utf-8", False, "\n", True),
        (b"\xef\xbb\xbfa\r\nb", "utf-8", True, "\r\n", False),
        ("caf\u00e9 \u2019\n".encode("cp1252"), "cp1252", False, "\n", True),
        (b"\x81\x8d odd bytes", "cp1252", False, "", False),
        ("hi\n".encode("utf-16"), "utf-16", True, "\n", True),
    ],
)
def test_decoding_records_what_is_needed_to_write_back(data, encoding, bom, newline, final):
    note = decode(data)
    assert (note.encoding, note.bom, note.newline, note.final_newline) == (
        encoding, bom, newline, final)  # fmt: skip
    assert not note.text.startswith("\ufeff")


@given(st.binary(max_size=64))
def test_a_note_that_is_not_utf8_is_written_back_byte_for_byte(data):
    """Any bytes read as Windows-1252 (its undefined bytes too) encode back to themselves:
    a line tasksync does not change keeps every byte."""
    from tasksync.write.writeback import encode_as

    note = decode(data)
    assume(note.encoding == "cp1252" and not note.bom)
    assert encode_as(note.text, note.encoding) == data
