"""The commands that ask questions: `query` (Tasks query blocks), `followups`, `config`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path

import click

from tasksync.app import AppContext
from tasksync.cli.render import printable
from tasksync.config import QuerySettings, effective_config, load_query_settings
from tasksync.errors import UsageError
from tasksync.index.store import Store
from tasksync.query.engine import Placed, Result, explain, parse_block, run_on_index
from tasksync.query.filters import DONE_TYPES, Context, QueryError
from tasksync.query.people import People
from tasksync.read.prose import repaired
from tasksync.read.records import Record, write_json_array
from tasksync.read.vault import read_note

_PRIORITY_MARK = {"highest": " 🔺", "high": " ⏫", "medium": " 🔼", "normal": "", "low": " 🔽",
                  "lowest": " ⏬"}  # fmt: skip


class QuerySyntaxError(UsageError):
    EXIT_CODE = 6


def task_line(record: Record) -> str:
    """A task as the plugin shows it in a query result, led by its id (to act on it) and
    followed by where it lives."""
    owner = f" @{record['owner']}" if record["owner"] else ""
    due = f" 📅 {record['due']}" if record["due"] else ""
    tags = "".join(f" {t}" for t in record["tags"])
    where = f"{record['path']}:{record['line']}"
    mark = _PRIORITY_MARK[record["priority"]]
    return printable(
        f"{record['id'][:8]}  - [{record['status']}] "
        f"{repaired(record['description'])}{owner}{mark}{due}{tags}  ({where})"
    )


def _print_result(result: Result) -> None:
    if result.query.explain:
        click.echo(explain(result.block))
    shown: set[str] = set()  # a task in two groups counts once
    count = 0
    for headings, records in result.groups:
        for depth, heading in enumerate(headings):
            click.echo(f"{'#' * (depth + 2)} {heading}")
        for record in records:
            click.echo(task_line(record))
            if headings:
                shown.add(record["id"])
            else:
                count += 1
        if headings:
            click.echo("")
    count += len(shown)
    click.echo(f"{count} task{'s' if count != 1 else ''}")


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("text", required=False)
    @click.option(
        "--note",
        "note_path",
        metavar="PATH",
        help="Run each ```tasks block of this note (in the vault, or a path).",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_obj
    def query(app: AppContext, text: str | None, note_path: str | None, as_json: bool) -> None:
        """Run an Obsidian Tasks query, outside Obsidian.

        TEXT holds the query's lines (separated by newlines), as in a ```tasks block.
        The vault's Tasks plugin settings apply: its global filter, global query and
        presets. Besides the plugin's instructions: `owner is NAME`, `owner is me`,
        `owner includes TEXT`, `group by owner`, `sort by owner`.

        \b
        Examples:
          tasksync query $'not done\\npath includes Alon Horev\\nsort by due'
          tasksync query --note "People/Alon Horev.md" --json
        """
        if (text is None) == (note_path is None):
            raise UsageError("give the query TEXT or --note PATH (one of them)")
        store, _ = app.synced_store()
        with store:
            people = app.people(store)
            ctx = Context(app.today, frozenset(m.casefold() for m in people.me_names),
                          _status_names(app), store.open_dependencies,
                          people.resolve)  # fmt: skip
            settings = load_query_settings(app.vault)
            if text is not None:
                result = _run(text, store, people, ctx, settings)
                if as_json:
                    tasks = (json.dumps(r, ensure_ascii=False) for r in result.each_task())
                    write_json_array(tasks, sys.stdout)  # one task at a time
                else:
                    _print_result(result)
                return
            assert note_path is not None
            from tasksync.read.notes import query_blocks  # a query as text needs no reader

            rel, lines = _note_lines(app, note_path)
            blocks = query_blocks(lines)
            if not blocks:
                raise UsageError(f"{rel} has no ```tasks block")
            answers = [_answer(store, people, ctx, settings, rel, line, block, as_json)
                       for line, block in blocks]  # fmt: skip
        if as_json:
            click.echo(json.dumps(answers, ensure_ascii=False, indent=1))

    @cli.command()
    @click.option("--owner", metavar="NAME", help="Only this person's.")
    @click.option("--overdue", is_flag=True, help="Only tasks past their due date.")
    @click.option("--json", "as_json", is_flag=True, help="A list of {person, tasks}.")
    @click.pass_obj
    def followups(app: AppContext, owner: str | None, overdue: bool, as_json: bool) -> None:
        """What others owe you: open tasks owned by someone else, by person, oldest due first.

        \b
        Examples:
          tasksync followups
          tasksync followups --json
        """
        store, _ = app.synced_store()
        with store:
            people = app.people(store)
            found = store.stream_placed([f"status_type IN {OPEN_SQL}", "owner IS NOT NULL"])
            places = followup_places(((p, _with_person(people, r)) for p, r in found), people,
                                     app.today, owner, overdue)  # fmt: skip
            prepare = partial(_with_person, people)
            groups = [(person, Placed(store, at, prepare)) for person, at in places]
            if as_json:  # written as it is read: a person's tasks a page at a time
                sys.stdout.write("[")
                for number, (person, tasks) in enumerate(groups):
                    sys.stdout.write(",\n" if number else "\n")
                    sys.stdout.write(f'{{"person": {json.dumps(person, ensure_ascii=False)}, '
                                     '"tasks": ')  # fmt: skip
                    write_json_array((json.dumps(r, ensure_ascii=False) for r in tasks),
                                     sys.stdout)  # fmt: skip
                    sys.stdout.write("}")
                sys.stdout.write("\n]\n" if groups else "]\n")
                return
            for person, tasks in groups:
                click.echo(f"## {person}")
                for record in tasks:
                    late = (
                        " (overdue)"
                        if record["due"] and record["due"] < app.today.isoformat()
                        else ""
                    )
                    click.echo(task_line(record) + late)
                click.echo("")
        count = sum(len(ts) for _, ts in groups)
        click.echo(f"{count} follow-up{'s' if count != 1 else ''} with {len(groups)} "
                   f"{'people' if len(groups) != 1 else 'person'}")  # fmt: skip

    @cli.command("config")
    @click.pass_obj
    def show_config(app: AppContext) -> None:
        """Show the settings in force (user config file, then the vault's .tasksync.toml).

        \b
        Examples:
          tasksync config
          tasksync --vault ~/Notes config
        """
        for key, value in effective_config(app.vault).items():
            if isinstance(value, dict):
                click.echo(f"{key}:")
                for inner, text in value.items():
                    click.echo(f"  {inner!r}: {text}")
            elif isinstance(value, list):
                click.echo(f"{key}: {', '.join(map(str, value))}")
            else:
                click.echo(f"{key}: {value}")


OPEN_SQL = "('TODO', 'IN_PROGRESS', 'ON_HOLD')"


def followup_places(found: Iterable[tuple[int, Record]], people: People, today: date,
                    owner: str | None, overdue: bool) -> list[tuple[str, list[int]]]:  # fmt: skip
    """Each person's follow-ups (by name), oldest due first, as places in the index: what
    is kept of each task is its sort key and place, not its record."""
    wanted = people.resolve(owner) if owner else None
    by_person: dict[str, list[tuple[bool, str, str, int, int]]] = {}
    paths: dict[str, str] = {}  # one string per note, shared by its tasks
    for place, record in found:
        person = record.get("person")
        if record["status_type"] in DONE_TYPES or not person or people.is_me(person):
            continue
        if wanted and person.casefold() != wanted.casefold():
            continue
        if overdue and not (record["due"] and record["due"] < today.isoformat()):
            continue
        path = paths.setdefault(record["path"], record["path"])
        key = (record["due"] is None, record["due"] or "", path, record["line"], place)
        by_person.setdefault(person, []).append(key)
    return [(person, [key[-1] for key in sorted(by_person[person])])
            for person in sorted(by_person, key=str.casefold)]  # fmt: skip


def _status_names(app: AppContext) -> dict[str, str]:
    return {symbol: status.name for symbol, status in app.statuses.as_mapping().items()}


def _answer(store: Store, people: People, ctx: Context,
            settings: QuerySettings, rel: str, line: int, block: str,
            as_json: bool) -> dict[str, object]:  # fmt: skip
    result = _run(block, store, people, ctx, settings, rel, where=f"{rel}:{line}")
    if not as_json:
        click.echo(f"```tasks at {rel}:{line}")
        _print_result(result)
    return {"line": line, "query": block, "tasks": result.tasks}


def _with_person(people: People, record: Record) -> Record:
    record["person"] = people.resolve(record["owner"])
    return record


def _run(text: str, store: Store, people: People, ctx: Context, settings: QuerySettings,
         note: str | None = None, where: str = "query") -> Result:  # fmt: skip
    """Run a block over the index, streamed: SQLite leaves out what the block's filters
    rule out, and with a limit only the first tasks are kept."""
    try:
        block = parse_block(text, ctx, settings, note)
        return run_on_index(block, store, ctx, partial(_with_person, people))
    except QueryError as exc:
        raise QuerySyntaxError(f"{where}: {exc}") from None


def _note_lines(app: AppContext, given: str) -> tuple[str, list[str]]:
    vault = Path(app.vault).resolve()
    path = Path(given)
    candidates = [path if path.is_absolute() else Path.cwd() / path, vault / given]
    for candidate in candidates:
        if candidate.is_file():
            try:
                rel = candidate.resolve().relative_to(vault).as_posix()
            except ValueError:
                rel = candidate.name
            return rel, read_note(candidate).text.split("\n")
    raise UsageError(f"note not found: {given}")
