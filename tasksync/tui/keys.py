"""Every key of the task screens, in one table: the bindings, the footer, the help screen,
the command palette and the README's key table are all made from it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from tasksync.tui.views import TITLES, VIEWS

ALL = frozenset(VIEWS)
INBOX = frozenset(("inbox",))
OPEN = frozenset(("open", "followups"))
FOLLOWUPS = frozenset(("followups",))


@dataclass(frozen=True)
class Key:
    keys: str  # Textual's key names, comma-separated
    action: str
    label: str  # in the footer and the palette
    help: str  # on the help screen
    shown: str  # how the key is written for people
    views: frozenset[str] = ALL  # the screens it acts on
    footer: int = 0  # its place in the footer (0: not there); the footer drops the last first
    group: str = "Tasks"


KEYS: tuple[Key, ...] = (
    Key("a", "accept", "accept", "accept: a proposed task becomes a to-do (#proposed goes)",
        "a", INBOX, 1),
    Key("r", "reject", "reject", "reject: a proposed task is cancelled (❌ today)", "r", INBOX, 2),
    Key("d", "done", "done", "done (✅ today; a recurring task gets its next line)", "d",
        footer=5),
    Key("e", "edit", "edit", "edit the description, due date, priority, owner", "e", footer=6),
    Key("m", "merge", "merge", "merge: keep this task, reject its near-duplicate (asks first)",
        "m", INBOX, 7),
    Key("t", "reject_tracked", "tracked", "reject as already tracked: its match in another "
        "note (✓ done / ○ open, in the details) stays; this one gets [-] and "
        "(tracked in [[Note]])", "t", INBOX, 11),
    Key("p", "agenda", "agenda", "the 1:1 agenda of the highlighted task's person (they owe, "
        "you owe, to triage, done since), in Markdown", "p", FOLLOWUPS, 7),
    Key("space", "select", "select", "select or unselect the task (A / R then act on the "
        "selection)", "space", INBOX, 8),
    Key("A", "accept_many", "accept sel.", "accept the selected tasks (none selected: all shown, "
        "after a yes)", "A", INBOX, 9),
    Key("R", "reject_many", "reject sel.", "reject the selected tasks (none selected: all shown, "
        "after a yes)", "R", INBOX),
    Key("u", "undo", "undo", "undo the last change (any tasksync change, as `tasksync undo`)",
        "u", footer=3),
    Key("U,ctrl+r", "redo", "redo", "redo what u undid", "U / ctrl+r"),
    Key("o", "open_note", "open", "open the note ($EDITOR +line, else Obsidian)", "o", footer=10),
    Key("slash", "filter", "filter", "filter as you type: words, @owner, #tag (esc clears)", "/",
        footer=4, group="Find"),
    Key("escape", "clear_filter", "clear filter", "clear the filter and close its box", "esc",
        group="Find"),
    Key("j", "cursor(1)", "down", "down", "j / ↓", group="Move"),
    Key("k", "cursor(-1)", "up", "up", "k / ↑", group="Move"),
    Key("g,home", "first", "first task", "first task", "g / Home", group="Move"),
    Key("G,end", "last", "last task", "last task", "G / End", group="Move"),
    Key("tab", "next_view", "next screen", "next screen (Inbox, Open, Follow-ups)", "tab",
        group="Screens"),
    Key("shift+tab", "previous_view", "previous screen", "previous screen", "shift+tab",
        group="Screens"),
    Key("1", "view('inbox')", TITLES["inbox"], "the Inbox: proposed tasks by note", "1",
        group="Screens"),
    Key("2", "view('open')", TITLES["open"], "Open: open tasks by due date", "2", group="Screens"),
    Key("3", "view('followups')", TITLES["followups"], "Follow-ups: open tasks owned by others",
        "3", group="Screens"),
    Key("v", "toggle_details", "details", "show or hide the details pane", "v", group="Screens"),
    Key("right_square_bracket", "scroll_details(1)", "details down", "scroll the details down",
        "]", group="Screens"),
    Key("left_square_bracket", "scroll_details(-1)", "details up", "scroll the details up", "[",
        group="Screens"),
    Key("question_mark", "help", "help", "this help", "?", group="App"),
    Key("q", "quit", "quit", "quit", "q", group="App"),
    Key("ctrl+p", "command_palette", "commands", "the command palette: every action by name",
        "ctrl+p", group="App"),
)  # fmt: skip

ALWAYS = ("question_mark", "q")  # shown at the end of every footer, whatever the width
NOT_IN_PALETTE = frozenset(("cursor(1)", "cursor(-1)", "first", "last", "command_palette",
                            "scroll_details(1)", "scroll_details(-1)", "help"))  # fmt: skip
# The actions that change notes (at once, or after a yes): never the palette's first entry.
WRITING = frozenset(("accept", "reject", "done", "reject_tracked", "accept_many", "reject_many",
                     "undo", "redo", "merge", "edit"))  # fmt: skip


def bindings() -> list[Binding]:
    """The app's bindings. Tab and shift+tab are priority bindings: Textual's own focus keys
    would take them first; in a dialog they move between its fields (see the app)."""
    return [Binding(k.keys, k.action, k.label, show=False,
                    priority=k.action in ("next_view", "previous_view"))
            for k in KEYS if k.action != "command_palette"]  # fmt: skip


def footer_keys(view: str) -> list[tuple[str, str]]:
    """(key, label) for the footer of a screen, most needed first, then help and quit."""
    keys = sorted((k for k in KEYS if k.footer and view in k.views), key=lambda k: k.footer)
    last = [k for k in KEYS if k.keys in ALWAYS]
    return [(k.shown, k.label) for k in [*keys, *last]]


def help_groups() -> list[tuple[str, list[Key]]]:
    groups: dict[str, list[Key]] = {}
    for key in KEYS:
        groups.setdefault(key.group, []).append(key)
    return list(groups.items())


def where(key: Key) -> str:
    if key.views == ALL:
        return ""
    return ", ".join(TITLES[v] for v in VIEWS if v in key.views)


def markdown_table() -> str:
    """The README's key table."""
    lines = ["| key | what it does | screens |", "|---|---|---|"]
    for key in KEYS:
        shown = " / ".join(f"`{part}`" for part in key.shown.split(" / "))
        lines.append(f"| {shown} | {key.help} | {where(key) or 'all'} |")
    return "\n".join(lines)
