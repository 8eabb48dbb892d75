"""The baseline: a plain `re` line matcher extracting the same fields as tasksync's reader
(status, description, owner, tags, priority, the six dates, mis-encoded spellings included),
with no grammar, no index, no fences. Prints how many tasks it found.

    python benchmarks/regex_reader.py VAULT
"""

from __future__ import annotations

import os
import re
import sys

from tasksync.read.signifiers import SIGNIFIERS, VS16_SPELLINGS, signifier_spellings

TASK = re.compile(r"^[ \t>]*(?:[-*+]|[0-9]+[.)]) +\[(.)\] *(.*)$", re.MULTILINE)


def _alt(field: str) -> str:
    spelled = {s for sig in SIGNIFIERS if sig.field == field for s in signifier_spellings(sig)}
    return "(?:" + "|".join(map(re.escape, sorted(spelled, key=len, reverse=True))) + ")"


VS16 = "(?:" + "|".join(map(re.escape, VS16_SPELLINGS)) + ")?"
DATES = {f: re.compile(_alt(f) + VS16 + r" *([0-9]{4}-[0-9]{2}-[0-9]{2})")
         for f in ("due", "scheduled", "start", "created", "done", "cancelled")}  # fmt: skip
PRIORITY = {
    s.level: re.compile("|".join(map(re.escape, signifier_spellings(s)))) for s in SIGNIFIERS
    if s.level
}  # fmt: skip
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
