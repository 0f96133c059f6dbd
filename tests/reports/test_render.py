"""The chair's report as HTML, PDF and DOCX, read back as text: same data, same words.

Each format is turned back into plain text (HTML without tags, the PDF through pypdf, the
DOCX through python-docx: body, tables, headers and footers), so the assertions are about
what a reader sees, not about markup.
"""

import io
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from fixtures.jhops import FORUM_ACRONYM, load_jhops
from forums.models import Meeting
from forums.tlp import TLP
from outcomes.models import Outcome
from reports.content import build_report, report_today
from reports.render import FORMATS, WORDING, render
from reports.services import report_render
from tests.factories import (
    MeetingFactory,
    OutcomeDocumentFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
)
from workinggroups.models import Task, WorkingGroup

# Every test reads the database (most through the module's `jhops` fixture): marked so
# that pytest-django sets it up even when one test is run alone.
pytestmark = pytest.mark.django_db

DIACRITICS = "Tūvalu Ōtautahi Fédération Pōhnpei"
LEAD_FIRST, LEAD_LAST = "Sēmisi", "Fūnaki Ōtautahi"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


# --- reading each format back as text ---------------------------------------------------


class _Text(HTMLParser):
    """The text a reader sees: everything but <style> (and there is no <script>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self._in_style = False
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._in_style:
            self.parts.append(data)


def _flat(text: str) -> str:
    """One space between words: line and cell breaks differ between formats, words do not."""
    return " ".join(text.split())


def html_text(content: bytes) -> str:
    parser = _Text()
    parser.feed(content.decode("utf-8"))
    return _flat("".join(parser.parts))


def pdf_pages(content: bytes) -> list[str]:
    return [_flat(page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages]


def pdf_fonts(content: bytes) -> set[str]:
    """The fonts the PDF draws with, the charts' (form XObjects) included."""
    names: set[str] = set()

    def walk(resources, seen):
        resources = resources.get_object() if resources is not None else {}
        for font in resources.get("/Font", {}).values():
            names.add(font.get_object()["/BaseFont"].split("+")[-1])
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if id(xobject) not in seen and "/Resources" in xobject:
                seen.add(id(xobject))
                walk(xobject["/Resources"], seen)

    for page in PdfReader(io.BytesIO(content)).pages:
        walk(page.get("/Resources"), set())
    return names


def _docx_blocks(container) -> list[str]:
    """Paragraphs and table cells, in document order (a cell's paragraphs joined)."""
    texts = []
    for block in container.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                texts.append(" ".join(cell.text for cell in row.cells))
        else:
            texts.append(block.text)
    return texts


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    texts = []
    for section in document.sections:
        texts += _docx_blocks(section.header)
    texts += _docx_blocks(document)
    for section in document.sections:
        texts += _docx_blocks(section.footer)
    return _flat("\n".join(texts))


def text_of(rendered) -> str:
    if rendered.extension == "html":
        return html_text(rendered.content)
    if rendered.extension == "pdf":
        return " ".join(pdf_pages(rendered.content))
    return docx_text(rendered.content)


def assert_in_all(texts: dict[str, str], *expected: str) -> None:
    missing = {fmt: [s for s in expected if s not in text] for fmt, text in texts.items()}
    assert not any(missing.values()), missing


# --- the JHoPS 2023 report, rendered once for the module --------------------------------


@pytest.fixture(scope="module")
def jhops(django_db_setup, django_db_blocker):
    """The 5th JHoPS (Koror, 2023) report, as its chair at TLP:GREEN, in every format.

    Rendered once (PDF is the slow part) inside a transaction that is rolled back, so the
    other tests start from an empty database as usual. A task and its lead with Pacific
    and French diacritics are planted in the meeting's working group.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        load_jhops(demo_users=True)
        meeting = Meeting.objects.get(forum__acronym=FORUM_ACRONYM, sequence=5)
        group = WorkingGroup.objects.get(established_by=meeting)
        lead = UserFactory.create(
            username="lead-pohnpei", first_name=LEAD_FIRST, last_name=LEAD_LAST
        )
        TaskFactory.create(working_group=group, title=DIACRITICS, lead=lead, tlp=TLP.GREEN)
        chair = get_user_model().objects.get(username="chair")
        report = build_report(meeting=meeting, user=chair, level=TLP.GREEN, as_of=report_today())
        rendered = {fmt: render(report, fmt) for fmt in FORMATS}
        transaction.set_rollback(True)
    return report, rendered


@pytest.fixture(scope="module")
def jhops_texts(jhops):
    _report, rendered = jhops
    return {fmt: text_of(out) for fmt, out in rendered.items()}


def test_every_format_is_what_it_says(jhops):
    _report, rendered = jhops
    assert rendered["html"].content.startswith(b"<!DOCTYPE html>")
    assert rendered["html"].content_type == "text/html; charset=utf-8"
    assert rendered["pdf"].content.startswith(b"%PDF-")
    assert rendered["pdf"].content_type == "application/pdf"
    assert zipfile.ZipFile(io.BytesIO(rendered["docx"].content)).testzip() is None
    assert rendered["docx"].content_type.endswith("wordprocessingml.document")
    assert [out.extension for out in rendered.values()] == ["html", "pdf", "docx"]


def test_an_unknown_format_is_refused(jhops):
    report, _rendered = jhops
    with pytest.raises(ValueError, match="odt"):
        render(report, "odt")


def test_the_jhops_2023_report_says_the_same_in_all_three_formats(jhops, jhops_texts):
    report, _rendered = jhops
    assert_in_all(
        jhops_texts,
        "Chair's report: 5th JHOPS",
        "Forum Joint Heads of Pacific Security (JHOPS)",
        "Venue Koror, Palau",
        "Dates 23 Aug 2023 \u2013 24 Aug 2023",
        "Chair 2023 JHoPS Chair (Palau)",
        "Host Palau",
        f"As of {report.as_of.strftime('%-d %b %Y')}",
        "Distribution TLP:GREEN (the forum's members and observers)",
        # Denarau Outcomes 15 and 16, what the Koror meeting did with them, and the work.
        "Denarau Outcome 15 (JHOPS/4/15)",
        "Denarau Outcome 16 (JHOPS/4/16)",
        "JHOPS/5/6 pursuant to",
        "Consider a regional treaty framework",
        "Terms of reference or MoU on the JHoPS mandate, mission and governance",
        "JHoPS Intersessional Working Group",
        # PNG's planned hosting of the 6th, withdrawn; Cook Islands' interest in the 7th.
        "Papua New Guinea Withdrawn planned (24 Aug 2023) → withdrawn",
        "Cook Islands Interest registered interest registered (24 Aug 2023)",
        "JHOPS/5/10",
        "Members offered their sincere thanks to the Government of Palau",
    )


def test_sections_come_in_order_and_tasks_sit_under_their_denarau_outcome(jhops_texts):
    order = [
        "Chair's report: 5th JHOPS",
        WORDING["summary"],
        WORDING["glance"],
        WORDING["implementation"],
        WORDING["documents"],
        WORDING["lineage"],
        WORDING["groups"],
        WORDING["attention"],
        WORDING["next"],
    ]
    for fmt, text in jhops_texts.items():
        # The first occurrence after the previous heading (the PDF repeats the title on
        # every page; the SVG text of the charts comes before the chart titles).
        at = -1
        for heading in order:
            found = text.find(heading, at + 1)
            assert found > at, (fmt, heading)
            at = found
        lineage = text.index(WORDING["lineage"])
        groups = text.index(WORDING["groups"], lineage)
        outcome_15 = text.index("Denarau Outcome 15 (JHOPS/4/15)", lineage)
        outcome_16 = text.index("Denarau Outcome 16 (JHOPS/4/16)", lineage)
        assert lineage < outcome_15 < outcome_16 < groups, fmt
        treaty = text.index("Consider a regional treaty framework", outcome_15)
        mandate = text.index("Terms of reference or MoU", outcome_16)
        assert outcome_15 < treaty < outcome_16 < mandate < groups, fmt


KOROR_WORK = (
    "Support the Chair's engagement with the Pacific Islands Forum",
    "Terms of reference or MoU on the JHoPS mandate, mission and governance",
    "Consider a regional treaty framework",
    "Recommendations from the tabletop exercise",
)


def section(text: str, heading: str, following: str) -> str:
    """The text of the attention list `heading` (its count first) up to `following`."""
    start = text.index(WORDING["attention"])
    start = text.index(f"{heading} (", start)
    return text[start : text.index(following, start + len(heading))]


def test_the_koror_work_is_overdue_stalled_and_carried_over_in_every_format(jhops_texts):
    """Reporting to the undated 6th meeting, held since: open, never updated, past two
    meetings. (The fixture's task with diacritics sits in the same group: five in all.)"""
    for fmt, text in jhops_texts.items():
        assert "Overdue 5 Blocked 0 Stalled 5" in text, fmt
        overdue = section(text, WORDING["overdue"], f"{WORDING['stalled']} (")
        stalled = section(text, WORDING["stalled"], f"{WORDING['carried_over']} (")
        carried = section(text, WORDING["carried_over"], WORDING["next"])
        for heading, listed in (
            ("Overdue", overdue),
            ("Stalled", stalled),
            ("Carried over", carried),
        ):
            assert listed.startswith(f"{heading} (5) Task Lead"), (fmt, listed[:40])
            assert all(title in listed for title in KOROR_WORK), fmt
        # Who leads each stalled task, in the lead column of its row.
        assert f"{KOROR_WORK[1]} JHoPS Intersessional Working Group" in stalled, fmt
        # (The PDF breaks "Working-group" at its hyphen in the narrow column.)
        assert "group lead, Palau not set" in stalled, fmt


def test_the_state_of_implementation_says_where_each_outcome_stands(jhops_texts):
    for fmt, text in jhops_texts.items():
        start = text.index(WORDING["implementation"], text.index(WORDING["glance"]))
        body = text[start : text.index(WORDING["documents"], start)]
        assert "open work with no update for 90 days, or carried past two meetings" in body
        assert f"{WORDING['implementation_this']} (10)" in body, fmt
        assert "JHOPS/5/6 Koror Communiqué 6 Members reiterated" in body, fmt
        assert "Stalled 0% 4 of 4 open" in body, fmt
        assert "No work assigned — no work —" in body, fmt
        earlier = body[body.index(WORDING["implementation_earlier"]) :]
        assert "JHOPS/4/16 Denarau Outcome 16 Clarify" in earlier, fmt
        assert "Stalled 0% 1 of 1 open" in earlier, fmt


def test_names_with_macrons_and_accents_come_back_exactly(jhops, jhops_texts):
    report, rendered = jhops
    assert any(task.title == DIACRITICS for group in report.groups for task in group.tasks)
    assert_in_all(jhops_texts, DIACRITICS, f"{LEAD_FIRST} {LEAD_LAST}")
    # Extracted text could come from a ToUnicode map alone; the fonts must draw it too.
    fonts = pdf_fonts(rendered["pdf"].content)
    assert fonts and all(name.startswith("DejaVu-Sans") for name in fonts), fonts


def test_the_tlp_marking_is_on_every_pdf_page_and_in_the_docx_header(jhops):
    report, rendered = jhops
    pages = pdf_pages(rendered["pdf"].content)
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert "TLP:GREEN" in text, f"page {number} has no marking"
    assert not any("TLP:AMBER" in text or "TLP:CLEAR" in text for text in pages)

    document = Document(io.BytesIO(rendered["docx"].content))
    for section in document.sections:
        header = section.header
        assert not header.is_linked_to_previous
        runs = [run for p in header.paragraphs for run in p.runs if "TLP:GREEN" in run.text]
        assert runs, "no marking in the header"
        # The template's character style for the level: TLP:GREEN's colour on black.
        style = runs[0].style
        assert style.name == "TLP GREEN"
        assert str(style.font.color.rgb) == "33FF00"
        assert style.element.rPr.find(qn("w:shd")).get(qn("w:fill")) == "000000"
        assert header.paragraphs[0].style.name == "TLP Marking"
    assert "TLP:GREEN" in docx_text(rendered["docx"].content).split(" ")[0]

    html = rendered["html"].content.decode()
    assert html_text(rendered["html"].content).startswith("Chair's report: 5th JHOPS TLP:GREEN")
    assert "color: #33FF00" in html
    assert report.marking == "TLP:GREEN"


def test_the_pdf_is_tagged_and_each_element_names_the_page_that_draws_it(jhops):
    """Tagged PDF (pdf_tags) for screen readers: each element of the structure tree points
    at its page (`/Pg`), and that page's entry in the parent tree (indexed by the
    marked-content ids drawn on it) points back at the same element.

    Guards reports.render._remember_page_references, which keeps pydyf's list of page
    references between reads: a stale list would send readers to the wrong page.
    """
    _report, rendered = jhops
    pdf = PdfReader(io.BytesIO(rendered["pdf"].content))
    root = pdf.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    tree = root["/StructTreeRoot"]
    numbers = tree["/ParentTree"]["/Nums"]
    parents = {numbers[i]: numbers[i + 1].get_object() for i in range(0, len(numbers), 2)}
    page_of = {page.indirect_reference.idnum: page for page in pdf.pages}
    pages_reached: set[int] = set()
    marked = 0

    def walk(reference):
        nonlocal marked
        element = reference.get_object()
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        for kid in kids:
            if isinstance(kid, int):
                page = page_of[element.raw_get("/Pg").idnum]
                drawn_by = parents[page["/StructParents"]][kid]
                assert drawn_by.idnum == reference.idnum, (
                    f"MCID {kid} of page {page.page_number + 1} belongs to another element"
                )
                pages_reached.add(page.page_number)
                marked += 1
            elif "/S" in kid.get_object():
                walk(kid)

    for kid in tree["/K"] if isinstance(tree["/K"], list) else [tree.raw_get("/K")]:
        walk(kid)
    assert len(pdf.pages) > 3
    assert pages_reached == set(range(len(pdf.pages)))
    # And the other way: every element a page's marked content belongs to (the running
    # title, marking and page number of the margins included) names that page.
    for page in pdf.pages:
        for element in parents[page["/StructParents"]]:
            assert element.get_object().raw_get("/Pg").idnum == page.indirect_reference.idnum
    assert marked > 20 * len(pdf.pages)


def test_pydyf_page_references_are_rebuilt_when_a_page_is_added():
    """The list _remember_page_references keeps is the list pydyf builds, page by page,
    and is never carried from one PDF to another."""
    import pydyf

    from reports.render import _remember_page_references

    _remember_page_references()
    patched = pydyf.PDF.page_references.fget
    assert "_remember_page_references" in patched.__qualname__, "not installed: see why"
    for _ in range(2):
        document = pydyf.PDF()
        seen = []
        for _ in range(3):
            document.add_page(pydyf.Dictionary({"Type": "/Page"}))
            seen.append(patched(document))
            built = tuple(f"{n} 0 R".encode() for n in document.pages["Kids"][::3])
            assert seen[-1] == built
        assert [len(references) for references in seen] == [1, 2, 3]


def test_the_files_carry_the_title_and_nothing_else(jhops):
    report, rendered = jhops
    info = PdfReader(io.BytesIO(rendered["pdf"].content)).metadata
    assert info.title == report.title
    assert set(info) <= {"/Title", "/Producer", "/CreationDate", "/ModDate"}, set(info)

    archive = zipfile.ZipFile(io.BytesIO(rendered["docx"].content))
    assert not {"docProps/custom.xml", "docProps/thumbnail.jpeg"} & set(archive.namelist())
    props = Document(io.BytesIO(rendered["docx"].content)).core_properties
    assert props.title == report.title
    assert (props.subject, props.keywords, props.comments, props.category) == ("", "", "", "")
    assert props.author == props.last_modified_by == "Talanoa"
    app = archive.read("docProps/app.xml").decode()
    assert "Company" not in app and "TitlesOfParts" not in app


def test_the_html_is_one_file_without_script_or_outside_asset(jhops):
    _report, rendered = jhops
    html = rendered["html"].content.decode()
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html)
    assert "@import" not in html and "url(" not in html.replace("url(#chart-", "")
    assert html.count("<svg") == 2 and 'role="img"' in html
    assert '<html lang="en">' in html and "<main>" in html


def test_the_chart_reads_without_colour(jhops):
    _report, rendered = jhops
    html = rendered["html"].content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    # Every status has a texture as well as a colour, and each bar says its counts in words.
    swatches = re.findall(r'width="14" height="14" fill="([^"]+)"', svg)
    assert len(swatches) == len(set(swatches)) == 4
    assert sum(fill.startswith("url(#chart-documents-") for fill in swatches) >= 3
    assert "Koror Communiqué: Active 10" in svg
    assert re.search(r"Not started \d+", html_text(rendered["html"].content))
    # In Word the charts are pictures: their words are the pictures' alternative text.
    pictures = Document(io.BytesIO(rendered["docx"].content)).inline_shapes
    described = [picture._inline.docPr.get("descr") for picture in pictures]
    assert len(described) == 2
    assert "Koror Communiqué: Active 10" in described[0]
    assert re.search(r"JHoPS Intersessional Working Group: Not started \d+", described[1])


def test_a_page_image_for_a_human_look(jhops):
    """Page 1 as PNG under test-artifacts/ (poppler's pdftoppm, when the machine has it)."""
    _report, rendered = jhops
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "chair-report-jhops-2023.pdf"
    pdf.write_bytes(rendered["pdf"].content)
    (ARTIFACTS / "chair-report-jhops-2023.docx").write_bytes(rendered["docx"].content)
    (ARTIFACTS / "chair-report-jhops-2023.html").write_bytes(rendered["html"].content)
    if shutil.which("pdftoppm"):
        page1 = ARTIFACTS / "chair-report-jhops-2023-page1"
        command = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*command, pdf, page1], check=True)
        assert (ARTIFACTS / "chair-report-jhops-2023-page1.png").stat().st_size > 10_000
    assert pdf.stat().st_size > 10_000


# --- an empty meeting, and a large one --------------------------------------------------


def test_an_empty_meeting_says_so_in_every_format():
    meeting = MeetingFactory.create()
    officer = UserFactory.create(username="officer", is_superuser=True)
    report = build_report(meeting=meeting, user=officer, level=TLP.CLEAR, as_of=report_today())
    texts = {fmt: text_of(render(report, fmt)) for fmt in FORMATS}
    assert_in_all(
        texts,
        "TLP:CLEAR",
        WORDING["no_documents"],
        WORDING["no_adopted"],
        WORDING["no_earlier"],
        WORDING["no_tasks"],
        WORDING["no_lineage"],
        WORDING["no_groups"],
        WORDING["no_ready"],
        WORDING["no_blocked"],
        WORDING["no_overdue"],
        WORDING["no_stalled"],
        WORDING["no_carried_over"],
        WORDING["no_implementation_this"],
        WORDING["no_implementation_earlier"],
        WORDING["no_next_meeting"],
        WORDING["no_next_hostings"],
        WORDING["no_after_hostings"],
        "Chair not recorded",
        "Host not recorded",
    )


def test_the_report_stays_in_english_for_an_asker_who_reads_french():
    """It goes to Forum leaders in English: statuses, labels and meeting names too."""
    meeting = MeetingFactory.create(sequence=5)
    document = OutcomeDocumentFactory.create(meeting=meeting)
    Outcome.objects.create(
        document=document, number="1", position=1, text="Noted.", citation_code="X/1"
    )
    officer = UserFactory.create(username="officer", is_superuser=True)
    with translation.override("fr"):
        rendered = report_render(
            actor=officer, meeting=meeting, level=TLP.CLEAR, fmt="html", as_of=report_today()
        )
        assert translation.get_language() == "fr"
    text = html_text(rendered.content)
    assert f"Chair's report: 5th {meeting.forum.acronym}" in text
    assert "Distribution TLP:CLEAR (public)" in text
    assert "Active" in text and "Actif" not in text


def test_a_meeting_with_500_outcomes_renders_in_every_format():
    document = OutcomeDocumentFactory.create(title="Pacific action plan")
    meeting = document.meeting
    code = document.code
    # 100 numbered paragraphs with four lettered sub-items each: 500 outcomes, nested.
    parents = Outcome.objects.bulk_create(
        Outcome(
            document=document,
            number=str(n),
            position=n * 10,
            text=f"Members agreed on action {n} for the region.",
            kind=Outcome.Kind.AGREEMENT,
            citation_code=f"{code}/{n}",
        )
        for n in range(1, 101)
    )
    Outcome.objects.bulk_create(
        Outcome(
            document=document,
            parent=parent,
            number=f"{parent.number}({letter})",
            position=parent.position + i,
            text=f"Sub-item {letter} of action {parent.number}.",
            kind=Outcome.Kind.COMMITMENT,
            citation_code=f"{code}/{parent.number}({letter})",
        )
        for parent in parents
        for i, letter in enumerate("abcd", start=1)
    )
    group = WorkingGroupFactory.create(established_by=meeting, reports_to=None)
    for n in range(20):
        TaskFactory.create(
            working_group=group, title=f"Work item {n}", status=Task.Status.IN_PROGRESS
        )
    assert Outcome.objects.filter(document__meeting=meeting).count() == 500
    officer = UserFactory.create(username="officer", is_superuser=True)
    report = build_report(meeting=meeting, user=officer, level=TLP.AMBER, as_of=report_today())

    for fmt in FORMATS:
        rendered = render(report, fmt)
        text = text_of(rendered)
        assert f"{code}/100(d)" in text, fmt
        assert "Sub-item d of action 100." in text, fmt
        assert "Work item 19" in text, fmt
        if fmt == "pdf":
            pages = pdf_pages(rendered.content)
            assert len(pages) > 10
            assert all("TLP:AMBER" in page for page in pages)


def test_an_outcome_document_of_another_level_is_not_drawn():
    """A RED document of the meeting is not in the report, its chart, or its figures."""
    meeting = MeetingFactory.create()
    OutcomeDocumentFactory.create(meeting=meeting, title="Quiet annex", tlp=TLP.RED)
    officer = UserFactory.create(username="officer", is_superuser=True)
    report = build_report(meeting=meeting, user=officer, level=TLP.AMBER, as_of=report_today())
    for fmt in FORMATS:
        text = text_of(render(report, fmt))
        assert "Quiet annex" not in text, fmt
        assert WORDING["no_documents"] in text, fmt
