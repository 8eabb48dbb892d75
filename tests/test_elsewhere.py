"""Proposals already tracked in another note (issue 18): `dupes --elsewhere`, the matcher
behind it, and `merge` with a KEEP of another note."""

from __future__ import annotations

import json
import re
import string
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tasksync.cli.main import cli
from tasksync.query.elsewhere import matches_elsewhere

MEETING = "Meetings/2026-11-02 - 1-1 with Dana Whitfield, seed swap and the greenhouse heater.md"
TRANSCRIPT = "Sources/Transcripts/2026/2026-11-02 - 1-1 Dana.md"
SEED_MEETING = ("Meetings/2025-10-28 - 1-1 with Alon Horev, MAI Falcon rollout, Project Apollo "
                "entry path, and Azure internal dynamics.md")  # fmt: skip
SEED_TRANSCRIPT = "Sources/Transcripts/2025/2025-10-28 - 1-1 Alon.md"
# Each proposal line of the seed meeting note -> the transcript lines that say the same thing.
SEED_EXPECTED = {
    27: {53, 64}, 45: {53, 64},  # meet Kushal: either of its two lines
    29: {54}, 47: {54},  # send notes to Alon
    31: {55, 65}, 49: {55, 65},  # follow up with Vipin: either of its two lines
    33: {56}, 51: {56},  # Lior and Tiffany
    35: {57}, 53: {57},  # map the stakeholders
    37: {58}, 55: {58},  # Azure Hardware
    39: {59}, 57: {59},  # liquid-cooled SKUs
    41: {60}, 59: {60},  # Blob and S3
    43: {66}, 61: {66},  # Nscale
}  # fmt: skip


def run(vault: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--vault", str(vault), *args])
    return result.exit_code, result.stdout + (result.stderr if result.stderr_bytes else "")


def records_of(vault: Path) -> dict[str, dict[str, object]]:
    code, out = run(vault, "list", "--status", "all", "--json")
    assert code == 0, out
    return {r["id"]: r for r in json.loads(out)}


def elsewhere(vault: Path) -> list[dict[str, object]]:
    code, out = run(vault, "dupes", "--elsewhere", "--json")
    assert code == 0, out
    return json.loads(out)


def test_example_meeting_proposals_match_their_ticked_transcript_lines(example_vault):
    tasks = records_of(example_vault)
    found = {tasks[e["id"]]["line"]: e for e in elsewhere(example_vault)
             if tasks[e["id"]]["path"] == MEETING}  # fmt: skip
    # three of four proposals are ticked in the transcript, in other words; the fourth is not
    assert sorted(found) == [26, 28, 30]
    for proposal_line, transcript_line in ((26, 13), (28, 14), (30, 15)):
        (match,) = found[proposal_line]["elsewhere"]
        assert (match["path"], match["line"], match["status"]) == (TRANSCRIPT, transcript_line, "x")
        assert set(match) == {"id", "path", "line", "status", "score"}
        assert 60 <= match["score"] <= 100


def test_example_similar_vocabulary_elsewhere_is_no_match(example_vault):
    """The village hall kitchen note shares words (book, hall, committee, sort) but no item;
    the humidity probes ordered on 11-16 are not the two mounted on 11-09."""
    tasks = records_of(example_vault)
    for entry in elsewhere(example_vault):
        assert tasks[entry["id"]]["path"] == MEETING
        assert all(m["path"] == TRANSCRIPT for m in entry["elsewhere"])


def test_dupes_elsewhere_text_names_the_place_and_state(example_vault):
    code, out = run(example_vault, "dupes", "--elsewhere")
    assert code == 0, out
    assert f"✓ done in {TRANSCRIPT}:13" in out
    assert out.rstrip().splitlines()[-1].startswith("3 proposed tasks already tracked")


def test_an_open_match_is_shown_as_open(make_vault):
    vault = make_vault({
        "Meetings/2026-01-05 - sync.md": "- [?] Renew the insurance policy for the allotment "
                                          "shed with the new provider @Myself\n",
        "Projects/Shed.md": "- [ ] Renew the allotment shed insurance policy with the new "
                            "provider\n",
    })  # fmt: skip
    (entry,) = elsewhere(vault)
    assert entry["elsewhere"][0]["status"] == " "
    _code, out = run(vault, "dupes", "--elsewhere")
    assert "○ open in Projects/Shed.md:1" in out


def test_a_proposal_never_matches_its_own_note_or_other_proposals(make_vault):
    vault = make_vault({
        "A.md": "- [?] Paint the garden shed door dark green before the winter rains\n"
                "- [ ] Paint the garden shed door dark green before winter rains\n",
        "B.md": "- [?] Paint the garden shed door dark green before the winter rain\n"
                "- [-] Paint the garden shed door dark green before winter\n",
    })  # fmt: skip
    tasks = records_of(vault)
    found = {tasks[e["id"]]["path"]: [m["path"] for m in e["elsewhere"]] for e in elsewhere(vault)}
    # B's proposal matches A's to-do; A's proposal has nothing in B but a proposal and a
    # cancelled line
    assert found == {"B.md": ["A.md"]}


_WORD = st.text(string.ascii_lowercase, min_size=4, max_size=9)
FILLER = ("review", "send", "plan", "team", "call", "update", "check", "notes")


@settings(max_examples=60, deadline=None)
@given(words=st.lists(_WORD, min_size=40, max_size=160, unique=True), data=st.data())
def test_a_vault_of_unrelated_tasks_gives_no_match(words, data):
    """Tasks whose own words are all different (and a few common ones shared) never match,
    whatever their owners, dates and statuses."""
    words = sorted({w.rstrip("s") for w in words})  # no two words one stem apart
    records = []
    index = 0
    while index + 4 <= len(words):
        size = data.draw(st.integers(4, 8))
        own = words[index : index + size]
        index += size
        filler = data.draw(st.lists(st.sampled_from(FILLER), max_size=3, unique=True))
        status = data.draw(st.sampled_from(["?", "?", " ", "x", "/"]))
        kinds = {"?": "PROPOSED", " ": "TODO", "x": "DONE", "/": "IN_PROGRESS"}
        records.append({
            "id": f"{len(records):012x}", "path": f"note {len(records) % 7}.md",
            "line": len(records) + 1, "status": status, "status_type": kinds[status],
            "description": " ".join(filler + own).capitalize(),
            "owner": data.draw(st.sampled_from([None, "Myself", "Dana"])), "person": None,
            "due": data.draw(st.sampled_from([None, "2026-11-20", "2026-12-01"])),
        })  # fmt: skip
    assert matches_elsewhere(records) == {}


def test_seed_vault_every_proposal_finds_its_transcript_line_and_nothing_else(seed_vault):
    tasks = records_of(seed_vault)
    found = elsewhere(seed_vault)
    right = wrong = 0
    for entry in found:
        proposal = tasks[entry["id"]]
        assert proposal["path"] == SEED_MEETING, proposal
        for match in entry["elsewhere"]:
            ok = match["path"] == SEED_TRANSCRIPT and \
                match["line"] in SEED_EXPECTED[proposal["line"]]  # fmt: skip
            right += ok
            wrong += not ok
    assert (right, wrong) == (18, 0)
    assert {tasks[e["id"]]["line"] for e in found} == set(SEED_EXPECTED)


def test_matching_a_large_vault_is_quick():
    """50,000 tasks of a 20,000-word vocabulary (Zipf-like: a few words everywhere): one
    pass, far under the seconds pairwise scoring would take."""
    import random

    rng = random.Random(7)
    vocabulary = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
                  for _ in range(20_000)]  # fmt: skip
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    kinds = ["PROPOSED"] * 3 + ["TODO"] * 4 + ["DONE"] * 2 + ["CANCELLED"]
    records = [{"id": f"{i:012x}", "path": f"n{i // 25}.md", "line": i % 25 + 1, "status": "?",
                "status_type": rng.choice(kinds), "owner": None, "person": None, "due": None,
                "description": " ".join(rng.choices(vocabulary, weights, k=rng.randint(6, 16)))}
               for i in range(50_000)]  # fmt: skip
    started = time.perf_counter()
    matches_elsewhere(records)
    assert time.perf_counter() - started < 10


def test_merge_keeps_a_task_of_another_note_and_says_where_it_lives(example_vault):
    tasks = records_of(example_vault)
    by_place = {(t["path"], t["line"]): t["id"] for t in tasks.values()}
    keep, dup = by_place[(TRANSCRIPT, 13)], by_place[(MEETING, 26)]
    meeting, transcript = example_vault / MEETING, example_vault / TRANSCRIPT
    before = meeting.read_bytes(), transcript.read_bytes()
    code, out = run(example_vault, "--today", "2026-11-22", "merge", keep[:8], dup[:8])
    assert code == 0, out
    assert out.strip().endswith("1 task rejected as duplicates in 1 note")
    assert transcript.read_bytes() == before[1]  # KEEP is not changed
    old_line = ("- [?] Book the village hall for the January seed swap and arrange who picks up "
                "the hall key. @Myself 📅 2026-11-06 #task #proposed #auto")  # fmt: skip
    new_line = ("- [-] Book the village hall for the January seed swap and arrange who picks up "
                "the hall key. (tracked in [[2026-11-02 - 1-1 Dana]]) @Myself 📅 2026-11-06 "
                "#task #auto ❌ 2026-11-22")  # fmt: skip
    assert meeting.read_bytes() == before[0].replace(old_line.encode(), new_line.encode())
    # still one task, now cancelled, with the same id; the plugin's syntax holds
    after = records_of(example_vault)[dup]
    assert (after["status_type"], after["cancelled"], after["due"]) == (
        "CANCELLED", "2026-11-22", "2026-11-06")  # fmt: skip
    assert after["description"].endswith("(tracked in [[2026-11-02 - 1-1 Dana]])")
    code, out = run(example_vault, "undo")
    assert code == 0, out
    assert (meeting.read_bytes(), transcript.read_bytes()) == before


def test_merge_within_one_note_adds_no_link(example_vault):
    tasks = records_of(example_vault)
    by_place = {(t["path"], t["line"]): t["id"] for t in tasks.values()}
    note = "Meetings/2026-11-16 - Weekly sync with Dana Whitfield, greenhouse sensors, and the " \
        "spring plant sale.md"  # fmt: skip
    code, out = run(example_vault, "merge", by_place[(note, 26)], by_place[(note, 34)])
    assert code == 0, out
    assert "tracked in" not in (example_vault / note).read_text(encoding="utf-8")


def test_merge_links_the_folder_when_two_notes_share_a_name(make_vault):
    vault = make_vault({
        "A/Plan.md": "- [x] Order the oak sleepers for the raised beds ^beds\n",
        "B/Plan.md": "- [ ] Something else entirely\n",
        "Meetings/m.md": "- [?] Order oak sleepers for the new raised beds #proposed\n",
    })  # fmt: skip
    tasks = records_of(vault)
    by_path = {t["path"]: t["id"] for t in tasks.values()}
    code, out = run(vault, "--today", "2026-01-02", "merge", by_path["A/Plan.md"],
                    by_path["Meetings/m.md"])  # fmt: skip
    assert code == 0, out
    assert (vault / "Meetings/m.md").read_text(encoding="utf-8") == (
        "- [-] Order oak sleepers for the new raised beds (tracked in [[A/Plan#^beds]]) "
        "❌ 2026-01-02\n")  # fmt: skip


def test_the_matcher_reads_its_tasks_once_and_keeps_none_of_them():
    """`dupes --elsewhere` streams the index through the matcher: a one-shot iterator is
    enough, and what it keeps of a task is numbers, never the record (nor its strings)."""
    import gc
    import weakref

    from tasksync.query.elsewhere import Matcher

    class Kept(dict):  # a record that can be watched
        pass

    lines = [
        ("Meetings/2026-01-05 - sync.md", "PROPOSED", "Renew the insurance policy for the "
         "allotment shed with the new provider", "Myself"),
        ("Projects/Shed.md", "TODO", "Renew the allotment shed insurance policy with the new "
         "provider", None),
        ("Projects/Other.md", "DONE", "Paint the garden shed door dark green", "Dana"),
    ]  # fmt: skip
    records = [{"id": f"{i:012x}", "path": path, "line": i + 1, "status": "?",
                "status_type": kind, "description": words, "owner": owner, "person": None,
                "due": None} for i, (path, kind, words, owner) in enumerate(lines)]  # fmt: skip
    watched: list[weakref.ref[Kept]] = []

    def once():
        for record in records:
            kept = Kept(record)
            watched.append(weakref.ref(kept))
            yield kept

    matcher = Matcher(once(), remember=False)
    gc.collect()
    assert len(watched) == len(records)
    assert all(ref() is None for ref in watched)
    found = list(matcher.proposals())
    assert found == [(0, [(1, found[0][1][0][1])])]
    expected = matches_elsewhere(records)
    assert list(expected) == [records[0]["id"]]
    (match,) = expected[records[0]["id"]]
    assert (match.record, match.score) == (records[1], found[0][1][0][1])


def test_dupes_elsewhere_json_is_laid_out_as_one_json_dump(example_vault):
    """The proposals are printed as they are found; the text is what one ``json.dumps`` of
    the whole list (indent 1) would print."""
    out = run(example_vault, "dupes", "--elsewhere", "--json")[1]
    entries = json.loads(out)
    assert len(entries) == 3
    assert out == json.dumps(entries, ensure_ascii=False, indent=1) + "\n"


def test_dupes_elsewhere_json_of_nothing_found_is_an_empty_list(make_vault):
    vault = make_vault({"A.md": "- [?] Paint the shed\n"})
    assert run(vault, "dupes", "--elsewhere", "--json") == (0, "[]\n")


@pytest.mark.parametrize(("status", "word"), [(" ", "a to-do"), ("x", "done"),
                                              ("/", "in progress")])  # fmt: skip
def test_merge_rejects_only_proposed_duplicates(make_vault, status, word):
    """A to-do, done or in-progress task given as a duplicate was "rejected": it got
    `(tracked in …)` and was counted among the rejections, exit 0."""
    vault = make_vault({
        "A/Plan.md": "- [ ] Order the oak sleepers for the raised beds\n",
        "Meetings/m.md": "- [?] Order oak sleepers for the raised beds #proposed\n"
                         f"- [{status}] Order the oak sleepers again\n",
    })  # fmt: skip
    before = (vault / "Meetings/m.md").read_bytes()
    tasks = records_of(vault)
    by_line = {(t["path"], t["line"]): t["id"] for t in tasks.values()}
    code, out = run(vault, "merge", by_line[("A/Plan.md", 1)], by_line[("Meetings/m.md", 1)],
                    by_line[("Meetings/m.md", 2)])  # fmt: skip
    assert code == 1, out
    assert f"not proposed: it is {word}" in out, out
    assert (vault / "Meetings/m.md").read_bytes() == before, "a merge refused in part wrote"


def test_merge_of_an_already_rejected_duplicate_says_so(make_vault):
    vault = make_vault({
        "Meetings/m.md": "- [ ] Order the oak sleepers\n- [-] Order oak sleepers ❌ 2026-01-01\n"
                         "- [?] Order the oak sleepers soon #proposed\n",
    })  # fmt: skip
    ids = [t["id"] for t in sorted(records_of(vault).values(), key=lambda t: t["line"])]
    code, out = run(vault, "--today", "2026-01-02", "merge", *ids)
    assert code == 0, out
    assert "1 already so" in out, out
    assert (vault / "Meetings/m.md").read_text(encoding="utf-8") == (
        "- [ ] Order the oak sleepers\n- [-] Order oak sleepers ❌ 2026-01-01\n"
        "- [-] Order the oak sleepers soon ❌ 2026-01-02\n")  # fmt: skip


@pytest.mark.parametrize("name", ["Plan %% draft", "Plan | draft", "Plan ]] draft",
                                  "Plan <!-- draft"])  # fmt: skip
def test_merge_never_writes_a_link_that_breaks_the_note(make_vault, name):
    """A keeper's note named `Plan %% draft` gave `(tracked in [[Plan %% draft]])`: a comment
    opened that hid every line after it; `|` and `]]` gave a link to another note."""
    vault = make_vault({
        f"A/{name}.md": "- [ ] Order the oak sleepers for the raised beds\n",
        "Meetings/m.md": "- [?] Order oak sleepers for the raised beds #proposed\n"
                         "- [ ] A task after it\n",
    })  # fmt: skip
    tasks = records_of(vault)
    by_path = {t["path"]: t["id"] for t in tasks.values() if t["line"] == 1}
    code, out = run(vault, "merge", by_path[f"A/{name}.md"], by_path["Meetings/m.md"])
    after = records_of(vault)
    assert any(t["description"] == "A task after it" for t in after.values()), \
        f"the task after the merged line vanished: {out}"  # fmt: skip
    text = (vault / "Meetings/m.md").read_text(encoding="utf-8")
    if code == 0:
        [link] = re.findall(r"\[\[(.*?)\]\]", text)
        assert link.split("|")[0].split("#")[0] in (f"A/{name}", name), text
    else:
        assert "no link can be written" in out, out
