"""The chair's report laid out as HTML, PDF and DOCX, from one `Report` and nothing else.

Each renderer reads only the Report object (already limited to its TLP level by
`content.build_report`), so the three formats say the same thing in the same words.

The report is the leaders' brief (reports/brief.py): a main body, then lettered annexes.
Every heading, label and "none" sentence comes from `brief.WORDING`, in the report's
language (the version's: reports.services renders inside `translation.override`).

- HTML: a Django template, one self-contained file (inline CSS and SVG, no script, no
  external asset), readable on screen and in print, `lang` the report's language;
- PDF: the same content as neutral blocks laid out by Typst (reports/pdf.py), with the
  bundled DejaVu fonts, the TLP marking at the top and foot of every page, page numbers
  and bookmarks;
- DOCX: docxtpl from `reports/docx/chair_report_template.docx`, a Word document whose
  styles the secretariat restyles in Word (`reports/docx/make_template.py` recreates it).
"""

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from jinja2 import Environment
from lxml import etree

from forums.tlp import TLP
from reports import brief, charts, pdf
from reports.brief import WORDING, wording
from reports.content import STATE_ORDER, Bar, ImplementationLine, Report, TaskLine

__all__ = ["FORMATS", "WORDING", "Rendered", "render", "wording"]

REPORTS_DIR = Path(settings.BASE_DIR) / "reports"
CSS_PATH = REPORTS_DIR / "static" / "reports" / "chair_report.css"
DOCX_TEMPLATE = REPORTS_DIR / "docx" / "chair_report_template.docx"

# TLP 2.0 (FIRST): the label in its colour on a black background.
MARKING_COLOURS = {
    TLP.CLEAR: "#FFFFFF",
    TLP.GREEN: "#33FF00",
    TLP.AMBER: "#FFC000",
    TLP.RED: "#FF2B2B",
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    extension: str


@dataclass(frozen=True)
class TaskList:
    """One list of tasks with its heading, and the sentence when it is empty."""

    title: str
    tasks: list[TaskLine]
    none: str


@dataclass(frozen=True)
class Implementation:
    """One list of the state of implementation: this meeting's outcomes, or earlier ones."""

    title: str
    outcomes: list[ImplementationLine]
    none: str


def _chart(bars: list[Bar], key: str, title: str, none: str, *, unit: str) -> charts.Chart:
    """A chart of these bars, or none (its `svg` empty) when it would show a single value:
    work done as columns over time; outcomes by meeting as shares of each meeting's; tasks
    by group as counts."""
    chart_id = f"chart-{key}"
    if not charts.informative(bars):
        svg = ""
    elif key == "work-done":
        svg = charts.columns(bars, chart_id=chart_id, title=title, unit=unit)
    else:
        svg = charts.stacked_bars(
            bars, chart_id=chart_id, title=title, unit=unit, shares=key == "implementation"
        )
    return charts.Chart(
        key=key,
        title=title,
        svg=svg,
        none=none,
        summary=charts.summary(bars, unit),
    )


def _charts(report: Report, w: dict[str, str]) -> dict[str, charts.Chart]:
    """The charts, in the order they come in the report: two in the body, one in Annex C."""
    return {
        "implementation": _chart(
            report.implementation_by_meeting,
            "implementation",
            w["chart_implementation"],
            "",  # the table beside it says it all
            unit="outcome",
        ),
        "work_done": _chart(
            report.work_done, "work-done", w["chart_work_done"], w["no_work_done"], unit="task"
        ),
        "groups": _chart(report.chart_by_group, "groups", w["chart_groups"], "", unit="task"),
    }


def _context(report: Report) -> dict:
    """What both templates receive: the Report, and the words and figures derived from it."""
    w = wording()
    return {
        "report": report,
        "w": w,
        "cover": brief.cover_rows(report, w),
        "marking": report.marking,
        "marking_colour": MARKING_COLOURS[report.level],
        "annex": brief.annex_headings(w),
        "more": brief.more_sentences(report),
        "key_figures": brief.key_figures(report, w),
        # The columns of the count by meeting: the parts of each bar, in this order.
        "state_labels": [str(state.label) for state in STATE_ORDER],
        "implementation_note": w["implementation_note"] % {"days": report.stalled_after_days},
        "attention_note": w["attention_note"] % {"days": report.stalled_after_days},
        "has_earlier": any(c.value for c in report.earlier_by_status),
        "has_tasks": any(c.value for c in report.tasks_by_status),
        "implementation": [
            Implementation(
                w["implementation_this"], report.implementation, w["no_implementation_this"]
            ),
            Implementation(
                w["implementation_earlier"],
                report.implementation_earlier,
                w["no_implementation_earlier"],
            ),
        ],
        "task_lists": [
            TaskList(w["ready"], report.ready, w["no_ready"]),
            TaskList(w["blocked"], report.blocked, w["no_blocked"]),
            TaskList(w["carried_over"], report.carried_over, w["no_carried_over"]),
        ],
        "hosting": [
            (w["next_hostings"], report.next_hostings, w["no_next_hostings"]),
            (w["after_hostings"], report.hostings_after, w["no_after_hostings"]),
        ],
    }


@functools.cache
def _css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def _html(report: Report) -> str:
    context = _context(report)
    # Our own stylesheet and SVG: every name and label inside the SVG is escaped by
    # charts.py, so it is safe to place unescaped.
    context["css"] = mark_safe(_css())
    context["charts"] = {
        key: {"chart": chart, "svg": mark_safe(chart.svg)}
        for key, chart in _charts(report, context["w"]).items()
    }
    return render_to_string("reports/chair_report.html", context)


def render_html(report: Report) -> Rendered:
    return Rendered(
        content=_html(report).encode("utf-8"),
        content_type="text/html; charset=utf-8",
        extension="html",
    )


def render_pdf(report: Report) -> Rendered:
    context = _context(report)
    context["charts"] = {
        key: {"chart": chart} for key, chart in _charts(report, context["w"]).items()
    }
    return Rendered(
        content=pdf.render_pdf(report, context),
        content_type="application/pdf",
        extension="pdf",
    )


class _WordTemplate(DocxTemplate):
    """docxtpl, with the rendered body put into the document by text rather than by tree.

    docxtpl parses the rendered body on its own and moves it into the document, and lxml
    moves a tree between documents node by node, fixing each node's namespaces: for a
    report of thousands of rows that was a third of the DOCX's time. Serialising the
    document around a placeholder and parsing it once gives the same XML (a test reads
    the report back from Word's file in every detail it checks).
    """

    def map_tree(self, tree):
        root = self.docx.element
        placeholder = etree.Comment("talanoa-body")
        root.replace(root.body, placeholder)
        before, after = etree.tostring(root, encoding="unicode").split("<!--talanoa-body-->")
        part = self.docx.part
        part._element = parse_xml(before + etree.tostring(tree, encoding="unicode") + after)
        self.docx = part.document


def render_docx(report: Report) -> Rendered:
    template = _WordTemplate(DOCX_TEMPLATE)
    context = _context(report)
    # The marking in the template's character style for its level ("TLP GREEN": the TLP
    # colour on black), inside the "TLP Marking" paragraph style.
    context["marking_rt"] = RichText(report.marking, style=report.marking.replace(":", ""))
    drawn = _charts(report, context["w"])
    context["charts"] = {
        key: {
            "title": chart.title,
            "none": chart.none,
            "image": InlineImage(template, io.BytesIO(charts.png(chart.svg)), width=Mm(165))
            if chart.svg
            else None,
        }
        for key, chart in drawn.items()
    }
    # Autoescape: names and texts go into XML; "&" or "<" in a title must stay text.
    template.render(context, Environment(autoescape=True, finalize=_xml_text), autoescape=True)
    # Each chart's words as the picture's alternative text, for screen readers in Word.
    # The charts are the last pictures of the document, in the order of `drawn` (a logo
    # the secretariat adds to the cover comes before them).
    described = [chart for chart in drawn.values() if chart.svg]
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


# Characters XML 1.0 refuses (C0 controls but tab and line feed), and the ones docxtpl
# reads as layout in any value (\a a new paragraph, \f a page break): typed text never
# lays out the document. A line break stays a line break (docxtpl writes <w:br/>).
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _xml_text(value):
    """Every value the Word template writes, as text Word opens."""
    return _NOT_TEXT.sub(" ", value.replace("\r\n", "\n")) if isinstance(value, str) else value


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
    props.language = report.language
    props.author = "Talanoa"
    props.last_modified_by = "Talanoa"
    props.created = now
    props.modified = now
    props.revision = 1
    _set_language(document, report.language)
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype in (RT.CUSTOM_PROPERTIES, RT.THUMBNAIL):
            # The template's custom properties and its page picture are not the report's.
            del package.rels[rel_id]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            # Word writes the company, manager and part titles here when a template is saved.
            rel.target_part._blob = APP_PROPERTIES


def _set_language(document, language: str) -> None:
    """The text's language, for Word's spelling and hyphenation: the styles' default."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run = defaults.find(qn("w:rPrDefault"))
    properties = run.find(qn("w:rPr")) if run is not None else None
    if properties is None:
        return
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), language)


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
