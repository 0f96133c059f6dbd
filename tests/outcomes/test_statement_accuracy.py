"""The statement_accuracy command: items exact per document and overall, on a tiny corpus."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from outcomes.importing.accuracy import generated_statement
from outcomes.importing.statement import parse_statement

pytestmark = pytest.mark.django_db


def item(number, parent, text_starts):
    return {"number": number, "parent": parent, "text_starts": text_starts}


def write(corpus, name, text, expected):
    (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    (corpus / f"{name}.expected.json").write_text(json.dumps(expected), encoding="utf-8")


def accuracy_output(corpus) -> str:
    out = io.StringIO()
    call_command("statement_accuracy", corpus=corpus, stdout=out)
    return out.getvalue()


def test_the_command_prints_items_exact_per_document_and_the_overall_share(tmp_path):
    write(
        tmp_path,
        "numbered",
        "1. Members met in Apia.\n2. Members agreed to meet again:\n(a) in Suva;\n",
        [
            item("1", None, "Members met in Apia"),
            item("2", None, "Members agreed"),
            item("2(a)", "2", "in Suva"),
        ],
    )
    # The object form, with one item expected wrongly: the parse has no "3".
    write(
        tmp_path,
        "with-document",
        "FORUM COMMUNIQUÉ\nSuva, Fiji\n8 July 2022\n\n1. Leaders met in Suva.\n",
        {
            "document": {"title": "FORUM COMMUNIQUÉ"},
            "outcomes": [item("1", None, "Leaders met"), item("3", None, "Leaders met")],
        },
    )

    output = accuracy_output(tmp_path)

    lines = output.splitlines()
    assert lines[0].split() == ["numbered", "3/3"]
    assert lines[1].split() == ["with-document", "1/2"]
    assert "Overall: 4/5 items exact (80.0%) in 2 documents" in output
    assert "200-paragraph statement" in output and " s" in lines[-1]


def test_a_refused_text_counts_no_item_and_says_why(tmp_path):
    write(
        tmp_path,
        "duplicate",
        "1. Members met.\n1. Members met again.\n",
        [item("1", None, "Members met.")],
    )

    output = accuracy_output(tmp_path)

    assert "0/1  (refused: Number 1 appears twice (lines 1 and 2).)" in output
    assert "Overall: 0/1 items exact (0.0%)" in output


def test_a_folder_without_expected_parses_is_an_error(tmp_path):
    with pytest.raises(CommandError, match=r"no <name>\.expected\.json"):
        call_command("statement_accuracy", corpus=tmp_path, stdout=io.StringIO())


def test_the_generated_statement_reads_as_two_hundred_numbered_paragraphs():
    draft = parse_statement(generated_statement(200))

    top = [outcome.number for outcome in draft.outcomes if outcome.parent_number is None]
    assert top == [str(number) for number in range(1, 201)]
    assert draft.title == "FORUM COMMUNIQUÉ"
    assert draft.adopted_on == "2022-07-08"
