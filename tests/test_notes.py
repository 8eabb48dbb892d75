"""Which lines of a note are tasks: frontmatter, fences, comments, headings, line numbers."""

from __future__ import annotations

from tasksync.read.notes import scan_text


def lines_of(text: str) -> list[tuple[int, str | None, str]]:
    return [(t.line, t.heading, t.task.description) for t in scan_text(text)]


def test_frontmatter_is_skipped():
    text = "---\ntags:\n- [ ] not a task\n---\n- [ ] real"
    assert lines_of(text) == [(5, None, "real")]


def test_unclosed_frontmatter_is_just_text():
    assert lines_of("---\n- [ ] real") == [(2, None, "real")]


def test_fenced_code_of_any_length_and_kind():
    text = (
        "```text\n- [ ] in fence\n```\n"
        "~~~~\n- [ ] tilde\n~~~\n- [ ] still tilde\n~~~~\n"
        "````md\n```\n- [ ] inner fence is text\n````\n"
        "- [ ] after"
    )
    assert lines_of(text) == [(13, None, "after")]


def test_fences_inside_quotes_and_lists():
    text = (
        "> ```\n> - [ ] quoted fence\n> ```\n- item\n  ```\n  - [ ] listed fence\n  ```\n- [ ] ok"
    )
    assert lines_of(text) == [(8, None, "ok")]


def test_fence_in_a_quote_ends_with_the_quote():
    text = "> ```\n> - [ ] in\n\n- [ ] out"
    assert lines_of(text) == [(4, None, "out")]


def test_unclosed_fence_runs_to_the_end():
    assert lines_of("- [ ] before\n```\n- [ ] inside") == [(1, None, "before")]


def test_backtick_info_with_backtick_is_no_fence():
    assert lines_of("``` a ` b\n- [ ] real") == [(2, None, "real")]


def test_comments_hold_no_tasks():
    text = (
        "<!--\n- [ ] html comment\n-->\n"
        "%%\n- [ ] obsidian comment\n%%\n"
        "%% - [ ] inline comment %%\n"
        "- [ ] task with %% a comment %% inside\n"
        "- [ ] task opening a comment <!-- that\n- [ ] goes on\n-->\n"
        "- [ ] last"
    )
    assert lines_of(text) == [
        (8, None, "task with %% a comment %% inside"),
        (9, None, "task opening a comment <!-- that"),
        (12, None, "last"),
    ]


def test_headings_and_line_numbers():
    text = (
        "# Title\n\n## Action Items\n\n- [ ] one\n\n### Later ###\n- [ ] two\n#notaheading\n- [ ] 3"
    )
    assert lines_of(text) == [(5, "Action Items", "one"), (8, "Later", "two"), (10, "Later", "3")]


def test_link_lists_and_prose_are_not_tasks():
    assert lines_of("- [[Sagi]]\n- [[Tiffany Stonehill]]\n- ❌ Blocker\n- plain item") == []


def test_crlf_lines():
    found = scan_text("# H\r\n- [ ] one 📅 2025-01-02\r\n- [x] two\r\n")
    assert [(t.line, t.task.render()) for t in found] == [
        (2, "- [ ] one 📅 2025-01-02"), (3, "- [x] two")]  # fmt: skip
    assert found[0].task.due is not None


def test_no_final_newline():
    assert lines_of("- [ ] a\n- [ ] b") == [(1, None, "a"), (2, None, "b")]


def test_continuation_lines_are_not_tasks_but_nested_tasks_are():
    assert lines_of("- [ ] parent\n  continued text\n  - [ ] child") == [
        (1, None, "parent"), (3, None, "child")]  # fmt: skip


def test_next_line_separator_is_not_a_line_break():
    # U+0085 appears in latin-1 mojibake ("…"); only "\n" ends a line.
    found = scan_text("- [ ] a \u0085 b\n- [ ] c")
    assert [t.task.description for t in found] == ["a \u0085 b", "c"]
