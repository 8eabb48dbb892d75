"""A task line without what a status change writes into it."""

from __future__ import annotations

import re
from functools import cache

from tasksync.read.signifiers import LEAD, field_pattern


@cache
def _status_marks() -> tuple[re.Pattern[str], re.Pattern[str]]:
    checkbox = re.compile(r"^([^\[]*?\[)[^\n\r\u2028\u2029](\])")
    dates = re.compile(f"{LEAD}(?:{field_pattern('done')}|{field_pattern('cancelled')})")
    return checkbox, dates


def unticked(raw: str) -> str:
    """The task line without its checkbox's symbol, ✅ and ❌: the same for the line before
    and after a status change (a recurring task's completed line, not its next occurrence)."""
    checkbox, dates = _status_marks()
    return dates.sub("", checkbox.sub(r"\1 \2", raw, count=1))
