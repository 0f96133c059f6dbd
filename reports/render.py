"""The chair's report laid out as HTML, PDF and DOCX, from one `Report` and nothing else.

Each renderer reads only the Report object (already limited to its TLP level by
`content.build_report`), and every heading, label and "none" sentence comes from
`WORDING` below, so the three formats say the same thing in the same words.

- HTML: a Django template, one self-contained file (inline CSS and SVG, no script, no
  external asset), readable on screen and in print;
- PDF: WeasyPrint from the same template, with the bundled DejaVu fonts, the TLP marking
  in a page-margin box on every page, and page numbers;
- DOCX: docxtpl from `reports/docx/chair_report_template.docx`, a Word document whose
  styles the secretariat restyles in Word (`reports/docx/make_template.py` recreates it).
"""

import functools
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText

from forums.dates import format_date
from forums.tlp import TLP
from outcomes.models import Outcome
from reports import charts
from reports.content import ImplementationLine, Report, TaskLine

REPORTS_DIR = Path(settings.BASE_DIR) / "reports"
FONT_DIR = REPORTS_DIR / "static" / "reports" / "fonts"
CSS_PATH = REPORTS_DIR / "static" / "reports" / "chair_report.css"
DOCX_TEMPLATE = REPORTS_DIR / "docx" / "chair_report_template.docx"

# WeasyPrint subsets the fonts with fontTools, which logs every table it touches at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# TLP 2.0 (FIRST): the label in its colour on a black background.
MARKING_COLOURS = {
    TLP.CLEAR: "#FFFFFF",
    TLP.GREEN: "#33FF00",
    TLP.AMBER: "#FFC000",
    TLP.RED: "#FF2B2B",
}

# Every fixed sentence of the report, shared by the HTML and Word templates.
WORDING = {
    "summary": "Summary figures",
    "glance": "Implementation at a glance",
    "implementation": "State of implementation",
    "implementation_note": (
        "Where each outcome stands, derived from the work serving it and its sub-items "
        "that this report's distribution may read. Stalled: open work with no update for "
        "{days} days, or carried past two meetings."
    ),
    "implementation_this": "Outcomes of this meeting",
    "implementation_earlier": "Earlier outcomes still active",
    "no_implementation_this": "No outcomes adopted at this meeting.",
    "no_implementation_earlier": "No earlier outcome of this forum is still active.",
    "state": "State",
    "progress": "Progress",
    "work": "Work",
    "last_moved": "Last movement",
    "documents": "Outcome documents adopted",
    "lineage": "Lineage: earlier outcomes acted on",
    "groups": "Working-group progress",
    "attention": "For the leaders' attention",
    "next": "The next meetings",
    "key_adopted": "Outcomes adopted",
    "key_active": "Earlier outcomes still active",
    "key_tasks": "Tasks",
    "key_overdue": "Overdue",
    "key_blocked": "Blocked",
    "key_stalled": "Stalled",
    "by_kind": "Outcomes adopted, by kind",
    "earlier_by_status": "Earlier outcomes, by implementation status",
    "tasks_by_status": "Tasks, by status",
    "chart_documents": "Implementation status of this meeting's outcomes, by document",
    "chart_groups": "Task status, by working group",
    "ready": "Ready for ratification",
    "blocked": "Blocked",
    "overdue": "Overdue",
    "stalled": "Stalled",
    "carried_over": "Carried over",
    "next_meeting": "Next meeting",
    "next_hostings": "Hosting of the next meeting",
    "after_hostings": "Hosting of the meeting after",
    "no_adopted": "No outcomes adopted at this meeting.",
    "no_earlier": "No earlier outcomes recorded.",
    "no_tasks": "No tasks recorded.",
    "no_documents": "No outcome documents recorded for this meeting.",
    "no_outcomes": "No outcomes recorded in this document.",
    "no_lineage": "No earlier outcomes were reaffirmed or acted on at this meeting.",
    "no_lineage_tasks": "No task serves this outcome yet.",
    "no_groups": "No working groups recorded for this meeting.",
    "no_group_tasks": "No tasks recorded for this working group.",
    "no_ready": "No task is ready for ratification.",
    "no_blocked": "No task is blocked.",
    "no_overdue": "No task is overdue.",
    "no_stalled": "No task is stalled.",
    "no_carried_over": "No task carries over.",
    "no_next_meeting": "No next meeting recorded for this forum.",
    "no_next_hostings": "No hosting recorded for the next meeting.",
    "no_after_hostings": "No hosting recorded for the meeting after.",
    "acted_on_by": "Acted on by",
    "status": "Status",
    "mandate": "Mandate",
    "reports_to": "Reports to",
    "serves": "Serves",
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    extension: str


@dataclass(frozen=True)
class Attention:
    """One list of the leaders' attention section."""

    title: str
    tasks: list[TaskLine]
    none: str


@dataclass(frozen=True)
class Implementation:
    """One list of the state of implementation: this meeting's outcomes, or earlier ones."""

    title: str
    outcomes: list[ImplementationLine]
    none: str


def _cover(report: Report) -> list[tuple[str, str]]:
    return [
        ("Forum", f"{report.forum} ({report.forum_acronym})"),
        ("Meeting", report.meeting),
        ("Sequence", str(report.sequence)),
        ("Venue", report.venue),
        ("Dates", report.dates),
        ("Chair" if len(report.chairs) == 1 else "Co-chairs", "; ".join(report.chairs)),
        ("Host", report.host),
        ("As of", format_date(report.as_of, "short")),
        ("Distribution", f"{report.marking} ({report.level.audience})"),
    ]


def _charts(report: Report) -> list[charts.Chart]:
    return [
        charts.Chart(
            key="documents",
            title=WORDING["chart_documents"],
            svg=charts.stacked_bars(
                report.chart_by_document,
                chart_id="chart-documents",
                title=WORDING["chart_documents"],
                unit="outcome",
            ),
            none=WORDING["no_documents"],
            summary=charts.summary(report.chart_by_document, "outcome"),
        ),
        charts.Chart(
            key="groups",
            title=WORDING["chart_groups"],
            svg=charts.stacked_bars(
                report.chart_by_group,
                chart_id="chart-groups",
                title=WORDING["chart_groups"],
                unit="task",
            ),
            none=WORDING["no_groups"],
            summary=charts.summary(report.chart_by_group, "task"),
        ),
    ]


def _context(report: Report) -> dict:
    """What both templates receive: the Report, and the words and figures derived from it."""
    active = str(Outcome.Status.ACTIVE.label)
    earlier_active = sum(c.value for c in report.earlier_by_status if c.label == active)
    return {
        "report": report,
        "w": WORDING,
        "cover": _cover(report),
        "marking": report.marking,
        "marking_colour": MARKING_COLOURS[report.level],
        "key_figures": [
            (WORDING["key_adopted"], sum(c.value for c in report.outcomes_by_kind)),
            (WORDING["key_active"], earlier_active),
            (WORDING["key_tasks"], sum(c.value for c in report.tasks_by_status)),
            (WORDING["key_overdue"], report.overdue_count),
            (WORDING["key_blocked"], report.blocked_count),
            (WORDING["key_stalled"], report.stalled_count),
        ],
        "implementation_note": WORDING["implementation_note"].format(
            days=report.stalled_after_days
        ),
        "has_earlier": any(c.value for c in report.earlier_by_status),
        "has_tasks": any(c.value for c in report.tasks_by_status),
        "implementation": [
            Implementation(
                WORDING["implementation_this"],
                report.implementation,
                WORDING["no_implementation_this"],
            ),
            Implementation(
                WORDING["implementation_earlier"],
                report.implementation_earlier,
                WORDING["no_implementation_earlier"],
            ),
        ],
        "attention": [
            Attention(WORDING["ready"], report.ready, WORDING["no_ready"]),
            Attention(WORDING["blocked"], report.blocked, WORDING["no_blocked"]),
            Attention(WORDING["overdue"], report.overdue, WORDING["no_overdue"]),
            Attention(WORDING["stalled"], report.stalled, WORDING["no_stalled"]),
            Attention(WORDING["carried_over"], report.carried_over, WORDING["no_carried_over"]),
        ],
    }


@functools.cache
def _css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def _html(report: Report, *, for_pdf: bool) -> str:
    context = _context(report)
    context["for_pdf"] = for_pdf
    # Our own stylesheet and SVG: every name and label inside the SVG is escaped by
    # charts.py, so it is safe to place unescaped.
    context["css"] = mark_safe(_css())
    context["charts"] = [(chart, mark_safe(chart.svg)) for chart in _charts(report)]
    if for_pdf:
        context["font_regular"] = (FONT_DIR / "DejaVuSans.ttf").as_uri()
        context["font_bold"] = (FONT_DIR / "DejaVuSans-Bold.ttf").as_uri()
    return render_to_string("reports/chair_report.html", context)


def render_html(report: Report) -> Rendered:
    return Rendered(
        content=_html(report, for_pdf=False).encode("utf-8"),
        content_type="text/html; charset=utf-8",
        extension="html",
    )


def _fonts_only_fetcher():
    """A WeasyPrint URL fetcher that reads the bundled fonts and nothing else.

    The report needs no other resource; refusing the rest means no text in the data can
    make the PDF engine reach the network or the server's files.
    """
    from weasyprint import URLFetcher

    allowed = FONT_DIR.as_uri() + "/"

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(allowed):
                raise ValueError(f"The chair's report loads no outside resource: {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=("file",))


@functools.cache
def _remember_page_references() -> None:
    """Make pydyf's `PDF.page_references` build its tuple once per page count.

    pydyf (0.13) builds a tuple of every page's reference each time the property is read,
    and WeasyPrint's `pdf_tags` reads it once per element of the structure tree: pages
    times tagged elements, which for a long report was over half the time of writing the
    PDF. The value only changes when a page is added (three items in `Kids` per page), so
    it is kept until the count changes.
    """
    import pydyf

    original = getattr(pydyf.PDF, "page_references", None)
    # Only the pydyf we read (uv.lock): a later one may keep its pages otherwise. The test
    # that this is installed fails on an upgrade, so that someone looks again.
    if pydyf.__version__ != "0.13.0" or not isinstance(original, property):
        return
    build = original.fget

    def page_references(pdf):
        kids = len(pdf.pages["Kids"])
        remembered = pdf.__dict__.get("_talanoa_page_references")
        if remembered is None or remembered[0] != kids:
            remembered = (kids, build(pdf))
            pdf.__dict__["_talanoa_page_references"] = remembered
        return remembered[1]

    pydyf.PDF.page_references = property(page_references)


def render_pdf(report: Report) -> Rendered:
    # Imported here: WeasyPrint loads Pango at import, which HTML and DOCX do not need.
    from weasyprint import HTML

    _remember_page_references()

    document = HTML(
        string=_html(report, for_pdf=True),
        base_url=FONT_DIR.as_uri() + "/",
        url_fetcher=_fonts_only_fetcher(),
    ).render()
    # The document's properties are set here, whatever the template says: the title,
    # and no subject, keywords, author or attachment that could carry other text.
    metadata = document.metadata
    metadata.title = report.title
    metadata.authors = []
    metadata.description = None
    metadata.keywords = []
    metadata.generator = None
    metadata.lang = "en"
    metadata.attachments = []
    return Rendered(
        content=document.write_pdf(pdf_tags=True),
        content_type="application/pdf",
        extension="pdf",
    )


def render_docx(report: Report) -> Rendered:
    template = DocxTemplate(DOCX_TEMPLATE)
    context = _context(report)
    # The marking in the template's character style for its level ("TLP GREEN": the TLP
    # colour on black), inside the "TLP Marking" paragraph style.
    context["marking_rt"] = RichText(report.marking, style=report.marking.replace(":", ""))
    drawn = _charts(report)
    context["charts"] = [
        {
            "title": chart.title,
            "none": chart.none,
            "image": InlineImage(template, io.BytesIO(charts.png(chart.svg)), width=Mm(165))
            if chart.svg
            else None,
        }
        for chart in drawn
    ]
    # Autoescape: names and texts go into XML; "&" or "<" in a title must stay text.
    template.render(context, autoescape=True)
    # Each chart's words as the picture's alternative text, for screen readers in Word.
    # The charts are the last pictures of the body (a logo the secretariat adds to the
    # cover comes before them).
    described = [chart for chart in drawn if chart.svg]
    pictures = list(template.docx.inline_shapes)[-len(described) :] if described else []
    for picture, chart in zip(pictures, described, strict=True):
        picture._inline.docPr.set("descr", f"{chart.title}. {chart.summary}")
        picture._inline.docPr.set("name", chart.title)
    _set_properties(template.docx, report)
    out = io.BytesIO()
    template.save(out)
    return Rendered(
        content=out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        extension="docx",
    )


APP_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>Talanoa</Application></Properties>"
)


def _set_properties(document, report: Report) -> None:
    """Title of the report, and every other property set to a value that says nothing.

    The template may have been saved in Word by someone, with their name, comments or
    keywords in it; none of that goes out with a report.
    """
    now = timezone.now().replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    props.title = report.title
    props.subject = ""
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.content_status = ""
    props.identifier = ""
    props.version = ""
    props.language = "en"
    props.author = "Talanoa"
    props.last_modified_by = "Talanoa"
    props.created = now
    props.modified = now
    props.revision = 1
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype in (RT.CUSTOM_PROPERTIES, RT.THUMBNAIL):
            # The template's custom properties and its page picture are not the report's.
            del package.rels[rel_id]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            # Word writes the company, manager and part titles here when a template is saved.
            rel.target_part._blob = APP_PROPERTIES


FORMATS: dict[str, Callable[[Report], Rendered]] = {
    "html": render_html,
    "pdf": render_pdf,
    "docx": render_docx,
}


def render(report: Report, fmt: str) -> Rendered:
    """The report in one of `FORMATS`."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"Unknown report format {fmt!r}: choose {', '.join(FORMATS)}.") from None
    return renderer(report)
