"""The outcome-statement parser against hand-made expected parses (tests/outcomes/statements/).

Each `<name>.txt` there is parsed with the JHoPS record loaded (so "Outcome 16 of the
Denarau Outcome" can resolve to JHOPS/4/16) and compared item by item with
`<name>.expected.json`. A new pair dropped in the folder is tested with no code change; an
expected parse whose text is not in the folder is read from the seeds (fixtures/seeds/),
which is how the real Koror communiqué is tested. An expected file is either the list of
outcomes or an object {"document": {...}, "outcomes": [...]} whose "document" also states
what the parser must read about the document as a whole (title, place, adoption date,
annexes, dropped page furniture, warnings). See statements/README.md.
"""

import json
from datetime import date
from pathlib import Path

import pytest

from fixtures.jhops import FORUM_ACRONYM, KOROR_COMMUNIQUE_PATH, KOROR_KINDS, load_jhops
from forums.models import Forum
from outcomes.importing.drafts import Draft, DraftLink
from outcomes.importing.statement import parse_statement
from outcomes.models import Outcome, OutcomeDocument

STATEMENTS = Path(__file__).parent / "statements"
SEEDS = KOROR_COMMUNIQUE_PATH.parent
EXPECTED_SUFFIX = ".expected.json"
FIELDS = ("number", "parent", "kind", "is_section", "heading")
# What the "document" part of an expected file may state; each key is optional.
DOCUMENT_KEYS = ("title", "place", "adopted_on", "annexes", "furniture", "warnings_contain")


def corpus_names() -> list[str]:
    """Every text in the folder, and every expected parse of a seed text."""
    names = {path.stem for path in STATEMENTS.glob("*.txt")}
    names |= {path.name.removesuffix(EXPECTED_SUFFIX) for path in STATEMENTS.glob("*.json")}
    return sorted(names)


def text_of(name: str) -> str:
    path = STATEMENTS / f"{name}.txt"
    if not path.exists():
        path = SEEDS / f"{name}.txt"
    return path.read_text(encoding="utf-8")


@pytest.fixture
def jhops_forum(db) -> Forum:
    load_jhops(demo_users=False)
    return Forum.objects.get(acronym=FORUM_ACRONYM)


def load_expected(path: Path) -> tuple[dict, list[dict]]:
    """The expected document facts and outcomes: a bare list is outcomes only."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return {}, data
    return data.get("document", {}), data["outcomes"]


def link_target(link: DraftLink) -> str | None:
    """The code of what the link resolved to, read from its ids (None: left unresolved)."""
    if link.target_outcome_id is not None:
        code = Outcome.objects.get(pk=link.target_outcome_id).citation_code
    elif link.target_document_id is not None:
        code = OutcomeDocument.objects.get(pk=link.target_document_id).code
    else:
        return None
    if link.target_code != code:
        return f"{code} (but target_code says {link.target_code!r})"
    return code


def as_expected(draft: Draft) -> list[dict]:
    """The parse in the expected files' own shape: paste it into a new .expected.json once
    each item has been checked by hand."""
    return [
        {
            "number": o.number,
            "parent": o.parent_number,
            "kind": str(o.kind),
            "is_section": o.is_section,
            "heading": o.heading,
            "text_starts": " ".join(o.text.split()[:8]),
            "links": [{"kind": str(link.kind), "target": link_target(link)} for link in o.links],
            "text": o.text,
        }
        for o in draft.outcomes
    ]


def annex_titles(draft: Draft) -> list[str]:
    """The titles of the annexes the parser set apart (none before it reads annexes)."""
    titles = []
    for annex in getattr(draft, "annexes", None) or []:
        titles.append(annex["title"] if isinstance(annex, dict) else getattr(annex, "title", ""))
    return titles


def document_as_expected(draft: Draft) -> dict:
    """What the parser read about the document, in the expected files' "document" shape
    (attributes the parser does not have yet read as empty)."""
    adopted_on = getattr(draft, "adopted_on", "") or ""
    return {
        "title": getattr(draft, "title", "") or "",
        "place": getattr(draft, "place", "") or "",
        "adopted_on": str(adopted_on),
        "annexes": annex_titles(draft),
        "furniture": list(dict.fromkeys(line.strip() for line in getattr(draft, "furniture", []))),
        # Whole warnings are substrings of themselves: pasted, they expect the same again.
        "warnings_contain": list(getattr(draft, "warnings", [])),
    }


def document_differences(expected: dict, draft: Draft, outcomes: list[dict]) -> list[str]:
    """What differs in the document as a whole: each key the expected file states is
    checked; a parser without the attribute fails it."""
    problems = [f"document: unknown key {key!r}" for key in expected if key not in DOCUMENT_KEYS]
    actual = document_as_expected(draft)
    for key in ("title", "place", "adopted_on"):
        if key in expected and expected[key] != actual[key]:
            problems.append(f"document: {key}: expected {expected[key]!r}, got {actual[key]!r}")
    if "annexes" in expected and expected["annexes"] != actual["annexes"]:
        problems.append(
            f"document: annexes:\n  expected {expected['annexes']!r}"
            f"\n  got      {actual['annexes']!r}"
        )
    if "furniture" in expected:
        # Each distinct furniture line once, in any order; none may stay in an outcome.
        if sorted(set(expected["furniture"])) != sorted(set(actual["furniture"])):
            missing = sorted(set(expected["furniture"]) - set(actual["furniture"]))
            extra = sorted(set(actual["furniture"]) - set(expected["furniture"]))
            problems.append(f"document: furniture: not dropped {missing!r}, dropped too {extra!r}")
        for line in expected["furniture"]:
            for item in outcomes:
                if line in item["text"]:
                    problems.append(f"document: furniture {line!r} left in {item['number']!r}")
    for wanted in expected.get("warnings_contain", []):
        warnings = actual["warnings_contain"]
        if not any(wanted.lower() in warning.lower() for warning in warnings):
            problems.append(f"document: no warning says {wanted!r}; warnings: {warnings!r}")
    return problems


def differences(expected: list[dict], actual: list[dict]) -> list[str]:
    """What differs, item by item, in words a reader can act on."""
    problems: list[str] = []
    expected_numbers = [item["number"] for item in expected]
    actual_numbers = [item["number"] for item in actual]
    if expected_numbers != actual_numbers:
        problems.append(
            f"numbers, in order:\n  expected {expected_numbers}\n  got      {actual_numbers}"
        )
    by_number = {item["number"]: item for item in actual}
    for position, want in enumerate(expected, 1):
        label = f"item {position} ({want['number']!r}, {want['text_starts'][:40]!r})"
        got = by_number.get(want["number"])
        if got is None:
            # Align by text instead, so the other fields of a misnumbered item still show.
            got = next(
                (item for item in actual if item["text"].startswith(want["text_starts"])), None
            )
            if got is None:
                problems.append(f"{label}: missing (no item has this number or start)")
                continue
        for key in FIELDS:
            if want[key] != got[key]:
                problems.append(f"{label}: {key}: expected {want[key]!r}, got {got[key]!r}")
        if not got["text"].startswith(want["text_starts"]):
            problems.append(
                f"{label}: text should start {want['text_starts']!r}, got {got['text'][:80]!r}"
            )
        if "text" in want and want["text"] != got["text"]:
            problems.append(
                f"{label}: text:\n  expected {want['text']!r}\n  got      {got['text']!r}"
            )
        want_links = [(link["kind"], link["target"]) for link in want["links"]]
        got_links = [(link["kind"], link["target"]) for link in got["links"]]
        if want_links != got_links:
            problems.append(f"{label}: links: expected {want_links}, got {got_links}")
        # A paragraph stops where the next item begins (before its list, across a wrap).
        # Only past its own opening: two items may open alike ("Ministers:" over each list).
        for later in expected[position:]:
            if got["text"].find(later["text_starts"], 1) != -1:
                problems.append(
                    f"{label}: its text runs into item {later['number']!r} "
                    f"({later['text_starts'][:40]!r})"
                )
    return problems


@pytest.mark.parametrize("name", corpus_names())
def test_statement_parses_as_expected(name, jhops_forum):
    draft = parse_statement(text_of(name), forum=jhops_forum)
    actual = as_expected(draft)
    expected_path = STATEMENTS / f"{name}{EXPECTED_SUFFIX}"
    parsed = json.dumps(
        {"document": document_as_expected(draft), "outcomes": actual}, indent=2, ensure_ascii=False
    )
    assert expected_path.exists(), (
        f"{expected_path.name} is missing. The parse, to check by hand before saving:\n{parsed}"
    )
    document, expected = load_expected(expected_path)
    problems = document_differences(document, draft, actual) + differences(expected, actual)
    assert not problems, (
        f"{name}: {len(problems)} difference(s)\n" + "\n".join(problems) + f"\n\nparsed:\n{parsed}"
    )


def test_the_corpus_covers_the_koror_communique_and_the_numbering_styles():
    names = corpus_names()
    assert KOROR_COMMUNIQUE_PATH.stem in names
    assert len(names) >= 8
    for name in names:
        assert (STATEMENTS / f"{name}{EXPECTED_SUFFIX}").exists(), f"{name}: no expected parse"
        assert text_of(name).strip(), f"{name}: empty text"


def test_every_expected_file_is_well_formed():
    """The expected files themselves: known document keys, ISO dates, complete outcomes,
    parents that come before their children."""
    for path in sorted(STATEMENTS.glob(f"*{EXPECTED_SUFFIX}")):
        document, outcomes = load_expected(path)
        unknown = set(document) - set(DOCUMENT_KEYS)
        assert not unknown, f"{path.name}: unknown document keys {sorted(unknown)}"
        if "adopted_on" in document:
            date.fromisoformat(document["adopted_on"])
        for key in ("annexes", "furniture", "warnings_contain"):
            assert isinstance(document.get(key, []), list), f"{path.name}: {key} is not a list"
        seen: set[str] = set()
        for item in outcomes:
            missing = {*FIELDS, "text_starts", "links"} - set(item)
            assert not missing, f"{path.name}: {item.get('number')!r} lacks {sorted(missing)}"
            assert item["number"] not in seen, f"{path.name}: {item['number']!r} twice"
            assert item["parent"] is None or item["parent"] in seen, (
                f"{path.name}: {item['number']!r} comes before its parent {item['parent']!r}"
            )
            seen.add(item["number"])


def test_the_koror_expectation_agrees_with_the_loaded_record():
    """The hand-made Koror parse says what fixtures/jhops.py records: one source of truth."""
    _, expected = load_expected(STATEMENTS / f"{KOROR_COMMUNIQUE_PATH.stem}{EXPECTED_SUFFIX}")
    top = [item for item in expected if item["parent"] is None]
    assert [item["number"] for item in top] == [str(n) for n in range(1, 11)]
    assert [item["kind"] for item in top] == [str(kind) for kind in KOROR_KINDS]
    children = [item["number"] for item in expected if item["parent"] == "6"]
    assert children == ["6.1", "6.2", "6.3", "6.4"]
