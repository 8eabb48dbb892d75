"""The baseline: a plain `re` line matcher extracting the same fields as tasksync's reader
(status, description, owner, tags, priority, the six dates, mis-encoded spellings included),
with no grammar, no index, no fences. Independent of tasksync: it imports none of its
modules, and derives the mis-encoded spellings itself. Prints how many tasks it found.

    python benchmarks/regex_reader.py VAULT
"""

from __future__ import annotations

import os
import re
import sys

# The emoji each field is written with (the plugin's, and those it also reads).
EMOJI = {
    "due": ("\U0001f4c5", "\U0001f4c6", "\U0001f5d3"), "scheduled": ("\u23f3", "\u231b"),
    "start": ("\U0001f6eb",), "created": ("\u2795",), "done": ("\u2705",),
    "cancelled": ("\u274c",),
}  # fmt: skip
PRIORITIES = {"highest": "\U0001f53a", "high": "\u23eb", "medium": "\U0001f53c",
              "low": "\U0001f53d", "lowest": "\u23ec"}  # fmt: skip


def spellings(emoji: str) -> set[str]:
    """The emoji and its UTF-8 bytes read as Windows-1252 (its undefined bytes dropped, or
    kept as C1 controls), as Latin-1 and as Mac Roman."""
    data = emoji.encode("utf-8")
    cp1252 = ["".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) and kept
                      else bytes([b]).decode("cp1252", errors="ignore") for b in data)
              for kept in (False, True)]  # fmt: skip
    return {emoji, *cp1252, data.decode("latin-1"), data.decode("mac_roman")}


def _alt(texts: set[str]) -> str:
    return "(?:" + "|".join(map(re.escape, sorted(texts, key=len, reverse=True))) + ")"


TASK = re.compile(r"^[ \t>]*(?:[-*+]|[0-9]+[.)]) +\[(.)\] *(.*)$", re.MULTILINE)


VS16 = _alt(spellings("\ufe0f")) + "?"
DATES = {field: re.compile(_alt({s for e in emoji for s in spellings(e)}) + VS16
                           + r" *([0-9]{4}-[0-9]{2}-[0-9]{2})")
         for field, emoji in EMOJI.items()}  # fmt: skip
PRIORITY = {level: re.compile(_alt(spellings(emoji))) for level, emoji in PRIORITIES.items()}
OWNER = re.compile(r"(?:^|\s)@([A-Za-z][\w'-]*(?: [A-Z][\w'-]*){0,3})(?=\s|$)")
TAG = re.compile(r"(?:^|\s)(#[^ !@#$%^&*(),.?\":{}|<>]+)")


def read(root: str) -> list[dict[str, object]]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith(".md"):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8", errors="replace")
            for match in TASK.finditer(text):
                body = match.group(2)
                task: dict[str, object] = {"path": path, "status": match.group(1)}
                for field, pattern in DATES.items():
                    m = pattern.search(body)
                    task[field] = m.group(1) if m else None
                task["priority"] = next((lvl for lvl, p in PRIORITY.items() if p.search(body)),
                                        "normal")  # fmt: skip
                owner = OWNER.search(body)
                task["owner"] = owner.group(1) if owner else None
                task["tags"] = TAG.findall(body)
                task["description"] = body
                found.append(task)
    return found


if __name__ == "__main__":
    print(len(read(sys.argv[1])))
