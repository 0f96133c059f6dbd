"""Reading an uploaded outcome statement (.txt, .docx, .pdf) and refusing bad input clearly.

The numbering and kinds of whole documents are tested by the corpus
(test_statement_corpus.py); here: each file type, each refusal, and references that must
be flagged rather than guessed.
"""

import io
from pathlib import Path

import docx
import pytest
import typst
from django.core.exceptions import ValidationError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image

from fixtures.jhops import FORUM_ACRONYM, KOROR_COMMUNIQUE_PATH, load_jhops
from forums.models import Forum
from outcomes.importing.statement import MAX_UPLOAD_BYTES, extract_text, parse_statement
from outcomes.models import OutcomeDocument
from reports.pdf import FONT_DIR
from tests.factories import ForumFactory


def message_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(excinfo.value.messages)


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture
def jhops_forum(db) -> Forum:
    load_jhops(demo_users=False)
    return Forum.objects.get(acronym=FORUM_ACRONYM)


# --- .txt ------------------------------------------------------------------------------------


def test_a_utf8_text_file_is_read_without_its_byte_order_mark():
    text = extract_text("koror.txt", b"\xef\xbb\xbf" + KOROR_COMMUNIQUE_PATH.read_bytes())
    assert text.startswith("Law enforcement, national security")
    assert "Papua New Guinea\u2019s planned hosting" in text


def test_a_windows_1252_text_file_is_read_too():
    # A right single quotation mark and an en dash, as Word types them.
    sentence = "Members welcomed Papua New Guinea\u2019s offer \u2013 with thanks."
    assert extract_text("statement.txt", sentence.encode("cp1252")) == sentence


# --- .docx -----------------------------------------------------------------------------------


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_gives_headings_and_list_paragraphs_as_bullet_lines():
    document = docx.Document()
    document.add_heading("MARITIME SECURITY", level=1)
    document.add_paragraph("Members agreed on the following priorities:", style="List Number")
    document.add_paragraph("joint patrols in the exclusive economic zones;", style="List Bullet 2")
    document.add_paragraph("shared aerial surveillance.", style="List Bullet 2")
    document.add_paragraph("Members welcomed the offer of Samoa to host the next meeting.")

    lines = lines_of(extract_text("statement.docx", docx_bytes(document)))

    assert [line.strip() for line in lines] == [
        "MARITIME SECURITY",
        "• Members agreed on the following priorities:",
        "• joint patrols in the exclusive economic zones;",
        "• shared aerial surveillance.",
        "Members welcomed the offer of Samoa to host the next meeting.",
    ]
    top, nested = lines[1], lines[2]
    indent = len(top) - len(top.lstrip())
    assert len(nested) - len(nested.lstrip()) == indent + 2  # two spaces a level
    assert lines[3].startswith(" " * (indent + 2) + "• ")


def test_a_word_list_level_set_on_the_paragraph_is_kept():
    """Word itself marks a list item with the paragraph's own numbering level (w:ilvl)."""
    document = docx.Document()
    for text, level in (("Members agreed to set up a register:", 0), ("of investigators;", 1)):
        paragraph = document.add_paragraph(text, style="List Paragraph")
        numbering = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), str(level))
        num_id = OxmlElement("w:numId")
        num_id.set(qn("w:val"), "1")
        numbering.extend([ilvl, num_id])
        paragraph._p.get_or_add_pPr().append(numbering)

    top, nested = lines_of(extract_text("register.docx", docx_bytes(document)))

    assert top.lstrip() == "• Members agreed to set up a register:"
    assert nested.lstrip() == "• of investigators;"
    assert len(nested) - len(nested.lstrip()) == len(top) - len(top.lstrip()) + 2


def test_a_word_document_parses_into_headed_items(db):
    document = docx.Document()
    document.add_heading("BORDER MANAGEMENT", level=1)
    document.add_paragraph("Members adopted the regional guidelines on risk management.")
    document.add_paragraph("Members noted the report of the working group.")

    draft = parse_statement(extract_text("statement.docx", docx_bytes(document)))

    assert [(o.number, o.kind, o.heading) for o in draft.outcomes] == [
        ("1", "agreement", "BORDER MANAGEMENT"),
        ("2", "note", "BORDER MANAGEMENT"),
    ]


# --- .pdf ------------------------------------------------------------------------------------


def pdf_of(folder: Path, *paragraphs: str) -> bytes:
    """A PDF of these paragraphs with a text layer, laid out by Typst as the report is."""
    source = folder / "paragraphs.typ"
    source.write_text(
        '#set text(font: "DejaVu Sans")\n#for p in sys.inputs.text.split("\\n") [#p #parbreak()]\n'
    )
    return typst.compile(
        source,
        font_paths=[FONT_DIR],
        ignore_system_fonts=True,
        sys_inputs={"text": "\n".join(paragraphs)},
    )


def test_a_pdf_with_a_text_layer_is_read(db, tmp_path):
    pdf = pdf_of(
        tmp_path,
        "1. Members agreed to establish a regional register of investigators.",
        "2. Members welcomed the offer of Vanuatu to host the next meeting.",
    )

    text = extract_text("statement.pdf", pdf)

    assert "Members agreed to establish a regional register" in text
    draft = parse_statement(text)
    assert [(o.number, o.kind) for o in draft.outcomes] == [("1", "decision"), ("2", "welcome")]


def test_a_scanned_pdf_without_text_is_refused_naming_the_scan():
    page = io.BytesIO()
    Image.new("RGB", (400, 560), "white").save(page, "PDF")

    with pytest.raises(ValidationError) as excinfo:
        extract_text("scanned-communique.pdf", page.getvalue())

    assert "scan" in message_of(excinfo).lower()


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \r\n\n\t"])
def test_an_empty_file_is_refused(content):
    with pytest.raises(ValidationError) as excinfo:
        extract_text("statement.txt", content)
    assert message_of(excinfo)


@pytest.mark.parametrize("text", ["", "  \n\n  \t\n"])
def test_empty_pasted_text_is_refused(text, db):
    with pytest.raises(ValidationError) as excinfo:
        parse_statement(text)
    assert message_of(excinfo)


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        bytes(range(256)) * 4,
    ],
    ids=["png", "bytes"],
)
def test_binary_bytes_named_txt_are_refused(content):
    with pytest.raises(ValidationError) as excinfo:
        extract_text("statement.txt", content)
    assert message_of(excinfo)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("statement.docx", b"1. Members agreed to meet again.\n"),
        ("statement.pdf", b"1. Members agreed to meet again.\n"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(name, content):
    with pytest.raises(ValidationError) as excinfo:
        extract_text(name, content)
    assert message_of(excinfo)


@pytest.mark.parametrize("name", ["statement.exe", "statement", "statement.odt"])
def test_a_file_of_another_type_is_refused(name):
    with pytest.raises(ValidationError) as excinfo:
        extract_text(name, b"MZ\x90\x00\x03\x00\x00\x00")
    assert message_of(excinfo)


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    assert MAX_UPLOAD_BYTES <= 5 * 1024 * 1024
    content = b"1. Members agreed to meet again.\n" * (6 * 1024 * 1024 // 33 + 1)
    assert len(content) > 6 * 1024 * 1024 - 1

    with pytest.raises(ValidationError) as excinfo:
        extract_text("statement.txt", content)

    assert "MB" in message_of(excinfo)


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (
            "1. Members met in Koror.\n2. Members agreed.\n3. Members noted.\n3. Members welcomed.",
            "3",
        ),
        ("(1) Members met.\n(2) Members agreed:\n(a) one;\n(b) two;\n(a) three.", "2(a)"),
    ],
    ids=["top-level", "sub-item"],
)
def test_a_number_twice_at_the_same_level_is_refused_naming_it(text, number, db):
    with pytest.raises(ValidationError) as excinfo:
        parse_statement(text)
    message = message_of(excinfo)
    assert number in message
    assert "twice" in message


def test_the_same_number_under_two_sections_is_not_a_duplicate(db):
    draft = parse_statement(
        "1. MARITIME SECURITY\n(1) Australia will fund two patrols.\n"
        "2. POLICING\n(1) Palau will host the training."
    )
    assert [o.number for o in draft.outcomes] == ["1", "1(1)", "2", "2(1)"]


# --- references ------------------------------------------------------------------------------


def test_a_reference_to_an_outcome_not_recorded_is_flagged_not_guessed(jhops_forum):
    draft = parse_statement(
        "1. Members agreed, pursuant to Outcome 4 of the Denarau Outcome, to review the "
        "regional training calendar.\n"
        "2. Members reaffirmed the 2019 Denarau Outcome.",
        forum=jhops_forum,
    )

    links = [link for o in draft.outcomes for link in o.links]
    assert [(link.kind, link.resolved) for link in links] == [
        ("pursuant_to", False),
        ("reaffirms", False),
    ]
    for link in links:
        assert link.target_outcome_id is None
        assert link.target_document_id is None
        assert link.target_code == ""
    assert "Outcome 4" in links[0].target_label
    assert "2019" in links[1].target_label
    assert [o.number for o, _link in draft.unresolved] == ["1", "2"]


def test_a_recorded_outcome_resolves_with_its_relation(jhops_forum):
    draft = parse_statement(
        "1. Members agreed, pursuant to Outcome 16 of the Denarau Outcome, to draft terms "
        "of reference.",
        forum=jhops_forum,
    )

    (link,) = draft.outcomes[0].links
    assert (link.kind, link.target_code, link.kind_inferred) == ("pursuant_to", "JHOPS/4/16", False)
    assert "Outcome 16 of the Denarau Outcome" in link.target_label
    assert draft.unresolved == []


def test_an_outcome_named_without_a_relation_gets_pursuant_to_marked_inferred(jhops_forum):
    draft = parse_statement(
        "1. Members welcomed progress on Denarau Outcome 16.", forum=jhops_forum
    )

    (link,) = draft.outcomes[0].links
    assert (link.kind, link.target_code, link.kind_inferred) == ("pursuant_to", "JHOPS/4/16", True)


def test_references_resolve_only_within_the_forum_given(jhops_forum):
    text = "1. Members agreed, pursuant to Outcome 16 of the Denarau Outcome, to meet."

    (link,) = parse_statement(text, forum=ForumFactory.create(acronym="PIDC")).outcomes[0].links
    assert not link.resolved

    (link,) = parse_statement(text, forum=None).outcomes[0].links
    assert link.target_code == "JHOPS/4/16"


def test_the_document_being_replaced_is_not_a_target(jhops_forum):
    koror = OutcomeDocument.objects.get(code="JHOPS/5")
    draft = parse_statement(
        "1. Members agreed, in accordance with paragraph 6 of the Koror Communiqué, to meet.",
        forum=jhops_forum,
        exclude_document=koror,
    )
    targets = [link.target_outcome_id for o in draft.outcomes for link in o.links]
    assert koror.outcomes.get(number="6").pk not in targets
