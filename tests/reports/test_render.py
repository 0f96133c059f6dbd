"""The chair's report as HTML, PDF and DOCX, read back as text: same data, same words.

Each format is turned back into plain text (HTML without tags, the PDF through pypdf, the
DOCX through python-docx: body, tables, headers and footers), so the assertions are about
what a reader sees, not about markup.
"""

import datetime
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
from reports.brief import WORDING, annex_letter
from reports.content import ChairsWords, build_report, report_today
from reports.render import FORMATS, render
from reports.services import report_render
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    OutcomeDocumentFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
)
from workinggroups.models import Task, TaskUpdate, WorkingGroup

# Every test reads the database (most through the module's `jhops` fixture): marked so
# that pytest-django sets it up even when one test is run alone.
pytestmark = pytest.mark.django_db

DIACRITICS = "Tūvalu Ōtautahi Fédération Pōhnpei"
LEAD_FIRST, LEAD_LAST = "Sēmisi", "Fūnaki Ōtautahi"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
# The chair's summary at its longest (SUMMARY_MAX_CHARS each), with text that must stay text.
KEY_MESSAGES = (
    "Leaders are asked to note the work of the intersessional working group & its partners.\n"
    "<script>alert(1)</script> is how a careless page would run this line.\n\n"
    + "Members will report on progress at the next meeting. "
    * 24
)[:1500]
RECOMMENDATIONS = ("That leaders endorse the terms of reference once ratified. " * 30)[:1500]


def word(key: str) -> str:
    """One of the report's words, in the active language."""
    return str(WORDING[key])


def annex(key: str) -> str:
    """An annex's heading as the report writes it: "Annex B. Work for decision and …"."""
    return f"Annex {annex_letter(key)}. {word(f'annex_{key}')}"


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
    and French diacritics are planted in the meeting's working group; the chair's summary
    is at its longest.
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
        report = build_report(
            meeting=meeting,
            user=chair,
            level=TLP.GREEN,
            as_of=report_today(),
            words=ChairsWords(KEY_MESSAGES, RECOMMENDATIONS, "Delegations of the forum"),
        )
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
        "Marking TLP:GREEN: Limited disclosure, recipients can spread this within their "
        "community. (TLP 2.0, the Traffic Light Protocol of FIRST)",
        "Distribution Delegations of the forum",
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
    """The main body (the chair's summary, for decision, the state of implementation, what
    is stalled or overdue), then the annexes A to G."""
    order = [
        "Chair's report: 5th JHOPS",
        word("summary"),
        word("key_messages"),
        word("decision"),
        word("recommendations"),
        word("implementation"),
        word("by_meeting"),
        word("implementation_this"),
        word("chart_work_done"),
        word("attention"),
        *(annex(key) for key in ("implementation", "attention", "groups", "documents")),
        *(annex(key) for key in ("lineage", "hosting", "glossary")),
    ]
    for fmt, text in jhops_texts.items():
        # The first occurrence after the previous heading (the PDF repeats the title on
        # every page; the SVG text of the charts comes before the chart titles).
        at = -1
        for heading in order:
            found = text.find(heading, at + 1)
            assert found > at, (fmt, heading)
            at = found
        lineage = text.index(annex("lineage"))
        hosting = text.index(annex("hosting"), lineage)
        outcome_15 = text.index("Denarau Outcome 15 (JHOPS/4/15)", lineage)
        outcome_16 = text.index("Denarau Outcome 16 (JHOPS/4/16)", lineage)
        assert lineage < outcome_15 < outcome_16 < hosting, fmt
        treaty = text.index("Consider a regional treaty framework", outcome_15)
        mandate = text.index("Terms of reference or MoU", outcome_16)
        assert outcome_15 < treaty < outcome_16 < mandate < hosting, fmt


KOROR_WORK = (
    "Support the Chair's engagement with the Pacific Islands Forum",
    "Terms of reference or MoU on the JHoPS mandate, mission and governance",
    "Consider a regional treaty framework",
    "Recommendations from the tabletop exercise",
)


def between(text: str, start: str, end: str, after: str = "") -> str:
    """The text from `start` (its first occurrence after `after`) up to `end`."""
    begin = text.index(start, text.index(after) if after else 0)
    return text[begin : text.index(end, begin + len(start))]


def test_the_koror_work_is_stalled_and_overdue_with_who_leads_it_in_every_format(jhops_texts):
    """Reporting to the undated 6th meeting, held since: open, never updated, past two
    meetings. (The fixture's task with diacritics sits in the same group: five in all.)"""
    for fmt, text in jhops_texts.items():
        body = between(text, f"{word('attention')} (", annex("implementation"))
        assert body.startswith(f"{word('attention')} (5)"), (fmt, body[:60])
        assert all(title in body for title in KOROR_WORK), fmt
        assert body.count(word("overdue_and_stalled")) == 5, fmt
        # Who leads each, in the lead column of its row; its group and status beside it.
        assert "Working-group lead, Palau not set Overdue and stalled" in body, fmt
        assert "JHoPS Intersessional Working Group · Not started" in body, fmt
        assert "Serves: Denarau Outcome 16 (JHOPS/4/16); Koror Communiqué 6 (JHOPS/5/6)" in body
        # Annex B has them all again, and this meeting's work carried over.
        full = between(text, annex("attention"), annex("groups"))
        assert f"{word('carried_over')} (5) Task Lead" in full, fmt
        assert all(title in full for title in KOROR_WORK), fmt


def test_the_state_of_implementation_says_where_each_outcome_stands(jhops_texts):
    for fmt, text in jhops_texts.items():
        body = between(text, word("implementation"), f"{word('attention')} (", word("decision"))
        assert "open work with no update for 90 days, or carried past two meetings" in body
        # By meeting: this one, then the 4th (Denarau), by state.
        table = body[body.index(word("by_meeting")) :]
        assert "5th JHOPS 10 0 0 0 0 2 8 4th JHOPS 2 0 0 0 0 2 0" in table, fmt
        assert f"{word('implementation_this')} (10)" in body, fmt
        assert "JHOPS/5/6 Koror Communiqué 6 Members reiterated" in body, fmt
        assert "Stalled 0% 4 of 4 open" in body, fmt
        assert "No work assigned — no work —" in body, fmt
        assert word("no_work_done") in body, fmt  # no Koror work has moved
        full = between(text, annex("implementation"), annex("attention"))
        earlier = full[full.index(word("implementation_earlier")) :]
        assert "JHOPS/4/16 Denarau Outcome 16 Clarify" in earlier, fmt
        assert "Stalled 0% 1 of 1 open" in earlier, fmt


def test_the_chairs_summary_keeps_its_lines_and_stays_text(jhops):
    """Plain text as the chair wrote it: "<script>" and "&" come out as text in every
    format, and each line break is a break."""
    _report, rendered = jhops
    html = rendered["html"].content.decode()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "working group &amp; its partners.<br>&lt;script&gt;" in html
    assert html.count('<div class="chairs-words">') == 2
    for fmt in ("html", "pdf", "docx"):
        text = text_of(rendered[fmt])
        assert "working group & its partners." in text, fmt
        assert "<script>alert(1)</script> is how a careless page" in text, fmt
    document = Document(io.BytesIO(rendered["docx"].content))
    (paragraph,) = [p for p in document.paragraphs if "careless page" in p.text]
    assert paragraph.text.startswith("Leaders are asked to note the work")
    assert len(paragraph._p.findall(f".//{qn('w:br')}")) == 3  # one, then a blank line


def test_the_main_body_fits_six_pages_for_koror(jhops):
    """The annexes start on a new page, the seventh at the latest, with the chair's summary
    at its longest. (A meeting of 500 outcomes: test_a_meeting_with_500_outcomes_….)"""
    _report, rendered = jhops
    pages = pdf_pages(rendered["pdf"].content)
    first_annex = next(n for n, text in enumerate(pages, 1) if annex("implementation") in text)
    assert first_annex <= 7, first_annex
    assert pages[first_annex - 1].index(annex("implementation")) < 40  # at the page's top


def test_names_with_macrons_and_accents_come_back_exactly(jhops, jhops_texts):
    report, rendered = jhops
    assert any(task.title == DIACRITICS for group in report.groups for task in group.tasks)
    assert_in_all(jhops_texts, DIACRITICS, f"{LEAD_FIRST} {LEAD_LAST}")
    # Extracted text could come from a ToUnicode map alone; the fonts must draw it too.
    fonts = pdf_fonts(rendered["pdf"].content)
    assert fonts and all(name.startswith("DejaVuSans") for name in fonts), fonts


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
    """Tagged PDF for screen readers: each piece of marked content of the structure tree
    names its page (the element's `/Pg`, or its own in a marked-content reference), and
    that page's entry in the parent tree (indexed by the marked-content ids drawn on it)
    points back at the same element. The language is the report's."""
    report, rendered = jhops
    pdf = PdfReader(io.BytesIO(rendered["pdf"].content))
    root = pdf.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == report.language == "en"
    tree = root["/StructTreeRoot"]
    numbers = tree["/ParentTree"]["/Nums"]
    parents = {numbers[i]: numbers[i + 1].get_object() for i in range(0, len(numbers), 2)}
    page_of = {page.indirect_reference.idnum: page for page in pdf.pages}
    pages_reached: set[int] = set()
    marked = 0

    def check(reference, mcid: int, page_reference) -> None:
        nonlocal marked
        page = page_of[page_reference.idnum]
        drawn_by = parents[page["/StructParents"]][mcid]
        assert drawn_by.idnum == reference.idnum, (
            f"MCID {mcid} of page {page.page_number + 1} belongs to another element"
        )
        pages_reached.add(page.page_number)
        marked += 1

    def walk(reference):
        element = reference.get_object()
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                check(reference, kid, element.raw_get("/Pg"))
            elif kid.get_object().get("/Type") == "/MCR":
                check(reference, kid["/MCID"], kid.get_object().raw_get("/Pg"))
            elif "/S" in kid.get_object():
                walk(kid)

    for kid in tree["/K"] if isinstance(tree["/K"], list) else [tree.raw_get("/K")]:
        walk(kid)
    assert len(pdf.pages) > 3
    assert pages_reached == set(range(len(pdf.pages)))
    assert marked > 20 * len(pdf.pages)


def test_the_files_carry_the_title_and_nothing_else(jhops):
    report, rendered = jhops
    info = PdfReader(io.BytesIO(rendered["pdf"].content)).metadata
    assert info.title == report.title
    # The engine's name aside (/Creator, /Producer), nothing but the title and the dates.
    assert set(info) <= {"/Title", "/Creator", "/Producer", "/CreationDate", "/ModDate"}, info

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
    assert html.count("<svg") == 1 and 'role="img"' in html
    assert '<html lang="en">' in html and "<main>" in html


def test_the_chart_reads_without_colour(jhops):
    _report, rendered = jhops
    html = rendered["html"].content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    # Every state has a texture as well as a colour, and each bar says its counts in words.
    swatches = re.findall(r'width="14" height="14" fill="([^"]+)"', svg)
    assert len(swatches) == len(set(swatches)) == 6
    assert sum(fill.startswith("url(#chart-implementation-") for fill in swatches) >= 4
    assert "5th JHOPS: Stalled 2 · No work assigned 8; 4th JHOPS: Stalled 2" in svg
    assert "Stalled 2 · No work assigned 8" in html_text(rendered["html"].content)
    # In Word the charts are pictures: their words are the pictures' alternative text.
    pictures = Document(io.BytesIO(rendered["docx"].content)).inline_shapes
    described = [picture._inline.docPr.get("descr") for picture in pictures]
    assert described == [
        f"{word('chart_implementation')}. 5th JHOPS: Stalled 2 · No work assigned 8; "
        "4th JHOPS: Stalled 2"
    ]


def test_no_chart_of_a_single_value(jhops):
    """The Koror work is all "Not started": its chart by group would be one bar of one
    colour, and nothing moved since the meeting: neither is drawn, their words stand."""
    report, rendered = jhops
    html = rendered["html"].content.decode()
    assert html.count("<svg") == 1
    assert [bar.label for bar in report.chart_by_group] == ["JHoPS Intersessional Working Group"]
    assert word("chart_groups") not in html_text(rendered["html"].content)
    assert all(part.value == 0 for bar in report.work_done for part in bar.parts)
    assert word("no_work_done") in html_text(rendered["html"].content)


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
        *(
            word(key)
            for key in (
                "no_key_messages",
                "no_ready",
                "no_recommendations",
                "no_by_meeting",
                "no_implementation_this",
                "no_work_done",
                "no_attention",
                "no_earlier",
                "no_implementation_earlier",
                "no_blocked",
                "no_carried_over",
                "no_tasks",
                "no_groups",
                "no_adopted",
                "no_documents",
                "no_lineage",
                "no_next_meeting",
                "no_next_hostings",
                "no_after_hostings",
            )
        ),
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
    assert "Distribution Anyone; it may be published (TLP:CLEAR)" in text
    assert "Active" in text and "Actif" not in text


def five_hundred_outcomes():
    """The benchmark's report meeting in small: 500 outcomes adopted (100 numbered
    paragraphs with four lettered sub-items each), nine earlier meetings with outcomes
    still active, and 120 tasks: 40 made ready for ratification week after week, 80
    overdue and quiet since March. Returns the meeting and its document's code."""
    forum = ForumFactory.create()
    earlier = [
        OutcomeDocumentFactory.create(meeting=MeetingFactory.create(forum=forum, sequence=n))
        for n in range(1, 10)
    ]
    Outcome.objects.bulk_create(
        Outcome(
            document=document,
            number=str(n),
            position=n,
            text=f"Earlier action {n}.",
            citation_code=f"{document.code}/{n}",
        )
        for document in earlier
        for n in range(1, 13)
    )
    meeting = MeetingFactory.create(
        forum=forum,
        sequence=10,
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 3),
    )
    document = OutcomeDocumentFactory.create(meeting=meeting, title="Pacific action plan")
    code = document.code
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
    five_hundred_tasks(meeting, parents)
    return meeting, code


def five_hundred_tasks(meeting, outcomes):
    following = MeetingFactory.create(forum=meeting.forum, sequence=11)
    groups = [
        WorkingGroupFactory.create(established_by=meeting, reports_to=following, name=name)
        for name in ("Maritime working group", "Border working group", "Cyber working group")
    ]
    tasks = Task.objects.bulk_create(
        Task(
            working_group=groups[n % 3],
            title=f"Work item {n}",
            reports_to=following,
            status=Task.Status.READY if n < 40 else Task.Status.IN_PROGRESS,
            progress=100 if n < 40 else 30,
            due_on=datetime.date(2026, 6, 30),
            tlp=TLP.GREEN,
        )
        for n in range(120)
    )
    through = Task.outcomes.through
    through.objects.bulk_create(
        through(task=task, outcome=outcomes[n % 100]) for n, task in enumerate(tasks)
    )
    march = datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC)
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(created_at=march)
    for n, task in enumerate(tasks[:40]):
        update = TaskUpdate.objects.create(
            task=task, status_from="in_progress", status_to="ready", progress=100
        )
        moved = march + datetime.timedelta(days=5 * n)
        TaskUpdate.objects.filter(pk=update.pk).update(created_at=moved)


def test_a_meeting_with_500_outcomes_renders_in_every_format_its_body_in_twelve_pages():
    meeting, code = five_hundred_outcomes()
    assert Outcome.objects.filter(document__meeting=meeting).count() == 500
    officer = UserFactory.create(username="officer", is_superuser=True)
    report = build_report(
        meeting=meeting,
        user=officer,
        level=TLP.AMBER,
        as_of=report_today(),
        words=ChairsWords(KEY_MESSAGES, RECOMMENDATIONS),
    )
    # The body's lists are capped; the annexes hold the rest.
    assert (len(report.decisions), report.decisions_more) == (12, 28)
    assert (len(report.implementation_body), report.implementation_body_more) == (40, 460)
    # Ready for ratification is still open: past its due day, it is overdue too.
    assert (len(report.attention), report.attention_more) == (15, 105)
    assert [bar.label for bar in report.implementation_by_meeting] == [
        *(f"{n}th {meeting.forum.acronym}" for n in range(10, 3, -1)),
        "1st to 3rd meetings",
    ]
    assert report.work_done[-1].parts[1].value == 40  # ready, by now

    for fmt in FORMATS:
        rendered = render(report, fmt)
        text = text_of(rendered)
        assert f"{code}/100(d)" in text, fmt
        assert "Sub-item d of action 100." in text, fmt
        assert "Work item 119" in text, fmt
        for more in ("And 460 more in Annex A.", "And 28 more in Annex B."):
            assert more in text, (fmt, more)
        if fmt == "pdf":
            pages = pdf_pages(rendered.content)
            assert len(pages) > 10
            assert all("TLP:AMBER" in page for page in pages)
            first_annex = next(
                n for n, page in enumerate(pages, 1) if annex("implementation") in page
            )
            assert first_annex <= 13, first_annex


def test_an_outcome_document_of_another_level_is_not_drawn():
    """A RED document of the meeting is not in the report, its chart, or its figures."""
    meeting = MeetingFactory.create()
    OutcomeDocumentFactory.create(meeting=meeting, title="Quiet annex", tlp=TLP.RED)
    officer = UserFactory.create(username="officer", is_superuser=True)
    report = build_report(meeting=meeting, user=officer, level=TLP.AMBER, as_of=report_today())
    for fmt in FORMATS:
        text = text_of(render(report, fmt))
        assert "Quiet annex" not in text, fmt
        assert word("no_documents") in text, fmt
