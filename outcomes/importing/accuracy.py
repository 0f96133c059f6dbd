"""How many items of a corpus of statements the parser reads exactly.

An item is exact when the parse has an item of the expected number whose parent is the
expected parent and whose text starts with the expected first words (`text_starts`): the
three things a citation and a reader depend on. Kinds and links are checked by the corpus
tests, not counted here. The corpus is a folder of `<name>.txt` beside
`<name>.expected.json` (tests/outcomes/statements/README.md); an expected file is a bare
list of outcomes or an object {"document": {...}, "outcomes": [...]}, and one whose text
is not in the folder reads it from the seeds (fixtures/seeds/).
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from outcomes.importing.drafts import Draft, DraftOutcome
from outcomes.importing.statement import parse_statement

EXPECTED_SUFFIX = ".expected.json"
SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"
DEFAULT_CORPUS = Path(settings.BASE_DIR) / "tests" / "outcomes" / "statements"


@dataclass
class DocumentScore:
    name: str
    exact: int
    total: int
    error: str = ""  # why the parser refused the text, if it did


def expected_outcomes(data: list | dict) -> list[dict]:
    """The expected outcomes of an expected file, in either of its two shapes."""
    return data if isinstance(data, list) else data["outcomes"]


def item_is_exact(expected: dict, actual: DraftOutcome | None) -> bool:
    return (
        actual is not None
        and actual.number == expected["number"]
        and actual.parent_number == expected["parent"]
        and actual.text.startswith(expected["text_starts"])
    )


def exact_items(expected: list[dict], draft: Draft) -> int:
    """How many expected items the draft has exactly (matched by their number)."""
    by_number = {outcome.number: outcome for outcome in draft.outcomes}
    return sum(item_is_exact(item, by_number.get(item["number"])) for item in expected)


def corpus_names(corpus: Path) -> list[str]:
    """Each statement of the corpus that has an expected parse."""
    return sorted(
        path.name.removesuffix(EXPECTED_SUFFIX) for path in corpus.glob(f"*{EXPECTED_SUFFIX}")
    )


def statement_text(corpus: Path, name: str) -> str:
    path = corpus / f"{name}.txt"
    if not path.exists():
        path = SEEDS / f"{name}.txt"
    return path.read_text(encoding="utf-8")


Parse = Callable[[str], Draft]


def score_document(corpus: Path, name: str, parse: Parse) -> DocumentScore:
    data = json.loads((corpus / f"{name}{EXPECTED_SUFFIX}").read_text(encoding="utf-8"))
    expected = expected_outcomes(data)
    try:
        draft = parse(statement_text(corpus, name))
    except ValidationError as refused:
        return DocumentScore(name, 0, len(expected), error="; ".join(refused.messages))
    return DocumentScore(name, exact_items(expected, draft), len(expected))


def score_corpus(corpus: Path, parse: Parse = parse_statement) -> list[DocumentScore]:
    return [score_document(corpus, name, parse) for name in corpus_names(corpus)]


def share(scores: list[DocumentScore]) -> float:
    """The share of all expected items that came out exact (0 to 1)."""
    total = sum(score.total for score in scores)
    return sum(score.exact for score in scores) / total if total else 0.0


def generated_statement(paragraphs: int) -> str:
    """A long statement in a common layout: a title block, capitals headings every ten
    paragraphs, numbered paragraphs with a lettered list every fifth one."""
    lines = ["FORUM COMMUNIQUÉ", "Suva, Fiji", "8 July 2022", ""]
    for number in range(1, paragraphs + 1):
        if number % 10 == 1:
            lines += [f"THEME {number // 10 + 1}", ""]
        lines.append(
            f"{number}. Leaders agreed to strengthen cooperation on the matters of theme "
            f"{number // 10 + 1}, recalling their earlier decisions and the work of the "
            "Forum Regional Security Committee, including:"
            if number % 5 == 0
            else f"{number}. Leaders welcomed the progress reported on item {number} and "
            "encouraged members to continue the work before the next meeting."
        )
        if number % 5 == 0:
            lines += ["(a) a review of the regional architecture;", "(b) a report to Leaders."]
        lines.append("")
    return "\n".join(lines)


def time_to_parse(text: str, parse: Parse = parse_statement) -> tuple[float, Draft]:
    """Seconds the parse took, measured once, and its draft."""
    started = time.perf_counter()
    draft = parse(text)
    return time.perf_counter() - started, draft
