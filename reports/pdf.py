"""The chair's report as PDF: the report's content as neutral blocks, laid out by Typst.

`pdf_blocks` turns the same context the HTML template reads (reports.render) into a list
of plain blocks (headings, paragraphs, facts, tables, charts); one Typst template,
`reports/typst/chair_report.typ`, lays them out. The blocks reach the template as JSON
through `sys.inputs`: no recorded text is ever written into Typst markup, so a title with
"#", "*" or "]" is printed as it was typed, never read as a command.

Typst runs in a child process (`reports.typst_child`): the compiler keeps its caches for
the life of the process, which in a web or Celery worker would be for ever. A report of
more than ROWS_PER_PART table rows is laid out in parts, each in its own child so that no
more than one part is in memory at a time, each numbering its pages from where the one
before ended; pypdf joins them with their bookmarks. Joining keeps no structure tree, so
the parts of a long report are laid out untagged; a report in one part is a tagged PDF.

Only the bundled DejaVu fonts are used (neither the machine's nor Typst's own), so the
PDF looks the same on every server and draws every Pacific and French letter.
"""

import functools
import io
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from PIL import ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from reports.content import ImplementationLine, Report, TaskLine

REPORTS_DIR = Path(settings.BASE_DIR) / "reports"
TEMPLATE = REPORTS_DIR / "typst" / "chair_report.typ"
CHILD = REPORTS_DIR / "typst_child.py"
FONT_DIR = REPORTS_DIR / "static" / "reports" / "fonts"
# Rows of tables laid out in one child process: enough for any meeting of the demo or a
# real forum in one part, few enough to keep a part's memory small.
ROWS_PER_PART = 2000

# The room a table has (A4 less the template's side margins), and a cell's padding, in pt.
TEXT_WIDTH = 595.28 - 2 * 16 * 72 / 25.4
CELL_PADDING = 8
BODY_SIZE = 9
HEAD_SIZE = 7.5  # a table's headings (the template's `head-size`)
# Around a word too wide for its column: the template lets it break between any two
# letters (as a browser's `overflow-wrap: anywhere`), and drops the marks themselves.
CUT_START, CUT_END = "\ue000", "\ue001"
# No glyph of DejaVu Sans (bold included) is wider than this, in em: a word shorter than
# its room at this width fits, unmeasured.
WIDEST_GLYPH = 1.2

Block = dict[str, Any]
Cell = str | list[str]  # a cell's text, or its text then smaller lines under it

# Each table's columns, as shares of the width (the HTML's stylesheet has the same).
COLUMNS = {
    "decisions": [42, 36, 22],
    "implementation": [46, 16, 12, 13, 13],
    "attention": [40, 18, 13, 14, 15],
    "tasks": [27, 14, 12, 12, 10, 25],
    "tasks-grouped": [27, 14, 12, 12, 10, 25],
    "outcomes": [15, 8, 14, 12, 51],
    "hostings": [30, 20, 50],
    "counts": [70, 30],
}
# The columns of figures, right-aligned.
NUMBERS = {"implementation": [2], "tasks": [4], "tasks-grouped": [4], "counts": [1]}


def heading(level: int, text: str, *, new_page: bool = False) -> Block:
    # Headings are set at up to twice the body's size.
    text = breakable(text, TEXT_WIDTH / 2, bold=True)
    return {"t": "h", "level": level, "text": text, "new_page": new_page}


def paragraph(text: str, style: str = "body") -> Block:
    """A paragraph: "body", "meta" (a note in smaller type), "none" (nothing to show),
    "more" (what a capped list left to an annex) or "words" (the chair's own)."""
    return {"t": "p", "text": breakable(text, TEXT_WIDTH - 12), "style": style}


def facts(rows: list[tuple[str, Any]]) -> Block:
    """Labels and values side by side; a label takes at most a third of the width."""
    return {
        "t": "facts",
        "rows": [
            [breakable(label, TEXT_WIDTH / 3, bold=True), breakable(str(value), TEXT_WIDTH / 2)]
            for label, value in rows
        ],
    }


@functools.cache
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size=BODY_SIZE * 10)


@functools.lru_cache(maxsize=50_000)
def _width(word: str, bold: bool) -> float:
    """The word's width at the body's size, in pt (names and codes recur: kept)."""
    return _font(bold).getlength(word) / 10


def breakable(text: str, room: float, *, bold: bool = False, size: float = BODY_SIZE) -> str:
    """`text`, each word wider than `room` (pt, at `size`) marked to be broken anywhere, so
    that no word runs into the next column or off the page."""
    text = text.replace(CUT_START, "").replace(CUT_END, "")
    if len(text) * size * WIDEST_GLYPH <= room:
        return text
    words = text.split(" ")
    for n, word in enumerate(words):
        too_long = len(word) * size * WIDEST_GLYPH > room
        if too_long and _width(word, bold) * size / BODY_SIZE > room:
            words[n] = f"{CUT_START}{word}{CUT_END}"
    return " ".join(words)


def _breakable_cell(value: Cell, room: float, bold: bool) -> Cell:
    if isinstance(value, str):
        return breakable(value, room, bold=bold)
    return [breakable(line, room, bold=bold and n == 0) for n, line in enumerate(value)]


def table(kind: str, head: list[str], rows: Sequence[Sequence[Cell]], widths=None) -> Block:
    """A table of these columns (`COLUMNS[kind]` unless `widths`): every cell's words fit."""
    widths = widths or COLUMNS[kind]
    rooms = [TEXT_WIDTH * share / sum(widths) - CELL_PADDING for share in widths]
    return {
        "t": "table",
        "widths": widths,
        "numbers": NUMBERS.get(kind, []),
        "head": [
            breakable(h, room, bold=True, size=HEAD_SIZE)
            for h, room in zip(head, rooms, strict=True)
        ],
        "rows": [
            [
                _breakable_cell(v, room, x == 0)
                for x, (v, room) in enumerate(zip(row, rooms, strict=False))
            ]
            for row in rows
        ],
    }


def counts(counted) -> Block:
    return table("counts", ["", ""], [[c.label, number_format(c.value)] for c in counted])


def _task_cell(task: TaskLine, w: dict[str, str], *, group: bool, status: bool = False) -> Cell:
    under = [f"{task.group} · {task.status}" if status else task.group] if group else []
    if task.serves:
        under.append(f"{w['serves']}: {'; '.join(task.serves)}")
    return [task.title, *under]


def tasks_table(tasks: list[TaskLine], w: dict[str, str], *, group: bool) -> Block:
    head = [w["task"], w["lead"], w["due"], w["status"], w["progress"], w["latest"]]
    rows = [
        [_task_cell(t, w, group=group), t.lead, t.due, t.status, f"{t.progress}%", t.latest]
        for t in tasks
    ]
    return table("tasks-grouped" if group else "tasks", head, rows)


def attention_table(lines, w: dict[str, str]) -> Block:
    head = [w["task"], w["lead"], w["due"], w["why"], w["last_moved"]]
    rows = [
        [
            _task_cell(line.task, w, group=True, status=True),
            line.task.lead,
            line.task.due,
            line.why,
            line.last_moved,
        ]
        for line in lines
    ]
    return table("attention", head, rows)


def implementation_table(outcomes: list[ImplementationLine], w: dict[str, str]) -> Block:
    head = [w["outcome"], w["state"], w["progress"], w["work"], w["last_moved"]]
    rows: list[list[Cell]] = [
        [[f"{o.code} {o.label}", o.text], o.state, o.progress, o.work, o.last_moved]
        for o in outcomes
    ]
    return table("implementation", head, rows)


def or_none(items, block, none: str) -> Block:
    """`block(items)`, or the sentence saying there is nothing to show."""
    return block(items) if items else paragraph(none, "none")


def chairs_words(text: str) -> Block:
    return paragraph(text, "words")


def listed(title: str, items: list, none: str, block) -> Iterator[Block]:
    """A heading with the count, then the table of the items or the sentence for none."""
    yield heading(3, f"{title} ({len(items)})")
    yield or_none(items, block, none)


def chart(drawn: dict[str, Any], *, none: bool = True) -> Iterator[Block]:
    """A chart under its title; where it is not drawn, its sentence (or nothing)."""
    shown = drawn["chart"]
    if shown.svg:
        yield {"t": "chart", "title": shown.title, "svg": shown.svg, "summary": shown.summary}
    elif none and shown.none:
        yield heading(3, shown.title)
        yield paragraph(shown.none, "none")


def _cover(report: Report, context: dict) -> Iterator[Block]:
    yield {
        "t": "cover",
        "forum": breakable(report.forum, TEXT_WIDTH - 12, bold=True),
        "title": breakable(report.title, TEXT_WIDTH / 2.2, bold=True),
    }
    yield facts(context["cover"])


def _summary(report: Report, w: dict[str, str]) -> Iterator[Block]:
    yield heading(2, w["summary"])
    yield heading(3, w["key_messages"])
    yield or_none(report.key_messages, chairs_words, w["no_key_messages"])


def _decision(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, w["decision"])
    yield heading(3, f"{w['ready']} ({len(report.ready)})")
    if report.decisions:
        yield paragraph(w["ready_note"], "meta")
        rows: list[list[Cell]] = [
            [[t.title, t.group], "; ".join(t.serves) or "—", t.lead] for t in report.decisions
        ]
        yield table("decisions", [w["task"], w["serves"], w["lead"]], rows)
        if context["more"]["decisions"]:
            yield paragraph(context["more"]["decisions"], "more")
    else:
        yield paragraph(w["no_ready"], "none")
    yield heading(3, w["recommendations"])
    yield or_none(report.recommendations, chairs_words, w["no_recommendations"])


def _by_meeting(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(3, w["by_meeting"])
    if not report.implementation_by_meeting:
        yield paragraph(w["no_by_meeting"], "none")
        return
    states = context["state_labels"]
    share = 76 / (len(states) + 1)
    block = table(
        "counts",
        [w["meeting"], w["outcomes"], *states],
        [
            [bar.label, str(bar.total), *(str(part.value) for part in bar.parts)]
            for bar in report.implementation_by_meeting
        ],
        widths=[24] + [share] * (len(states) + 1),
    )
    yield {**block, "numbers": list(range(1, len(states) + 2))}


def _implementation(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, w["implementation"])
    yield paragraph(context["implementation_note"], "meta")
    yield {"t": "figures", "rows": [[label, str(value)] for label, value in context["key_figures"]]}
    yield from chart(context["charts"]["implementation"], none=False)
    yield from _by_meeting(report, context)
    yield heading(3, f"{w['implementation_this']} ({len(report.implementation)})")
    if report.implementation_body:
        yield implementation_table(report.implementation_body, w)
        if context["more"]["implementation"]:
            yield paragraph(context["more"]["implementation"], "more")
    else:
        yield paragraph(w["no_implementation_this"], "none")
    yield from chart(context["charts"]["work_done"])


def _attention(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, f"{w['attention']} ({len(report.attention_all)})")
    yield paragraph(context["attention_note"], "meta")
    if report.attention:
        yield attention_table(report.attention, w)
        if context["more"]["attention"]:
            yield paragraph(context["more"]["attention"], "more")
    else:
        yield paragraph(w["no_attention"], "none")


def _annex_implementation(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, context["annex"]["implementation"], new_page=True)
    yield heading(3, w["earlier_by_status"])
    yield or_none(context["has_earlier"] and report.earlier_by_status, counts, w["no_earlier"])
    for block in context["implementation"]:
        yield from listed(
            block.title,
            block.outcomes,
            block.none,
            lambda outcomes: implementation_table(outcomes, w),
        )


def _annex_attention(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    ready, *others = context["task_lists"]

    def tasks(items):
        return tasks_table(items, w, group=True)

    yield heading(2, context["annex"]["attention"], new_page=True)
    yield from listed(ready.title, ready.tasks, ready.none, tasks)
    yield from listed(
        w["attention"], report.attention_all, w["no_attention"], lambda ls: attention_table(ls, w)
    )
    for block in others:
        yield from listed(block.title, block.tasks, block.none, tasks)


def _annex_groups(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, context["annex"]["groups"], new_page=True)
    yield heading(3, w["tasks_by_status"])
    yield or_none(context["has_tasks"] and report.tasks_by_status, counts, w["no_tasks"])
    yield from chart(context["charts"]["groups"], none=False)
    for group in report.groups:
        yield heading(3, group.name)
        yield facts([(w["mandate"], group.mandate or "—"), (w["reports_to"], group.reports_to)])
        yield or_none(group.tasks, lambda ts: tasks_table(ts, w, group=False), w["no_group_tasks"])
    if not report.groups:
        yield paragraph(w["no_groups"], "none")


def _annex_documents(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, context["annex"]["documents"], new_page=True)
    yield heading(3, w["by_kind"])
    yield or_none(report.outcomes_by_kind, counts, w["no_adopted"])
    head = [w["citation"], w["number"], w["kind"], w["status"], w["text"]]
    for document in report.documents:
        yield heading(3, document.title)
        yield paragraph(f"{document.code} · {document.kind}", "meta")
        rows = [[o.code, o.number, o.kind, o.status, o.text] for o in document.outcomes]
        yield or_none(rows, lambda rs: table("outcomes", head, rs), w["no_outcomes"])
    if not report.documents:
        yield paragraph(w["no_documents"], "none")


def _annex_lineage(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, context["annex"]["lineage"], new_page=True)
    for item in report.lineage:
        yield heading(3, f"{item.label} ({item.code})")
        yield {"t": "quote", "text": breakable(item.text, TEXT_WIDTH - 20)}
        rows: list[tuple[str, str]] = [(w["status"], item.status)]
        if item.acted_on_by:
            rows.append((w["acted_on_by"], "; ".join(item.acted_on_by)))
        yield facts(rows)
        yield or_none(item.tasks, lambda ts: tasks_table(ts, w, group=True), w["no_lineage_tasks"])
    if not report.lineage:
        yield paragraph(w["no_lineage"], "none")


def _annex_hosting(report: Report, context: dict) -> Iterator[Block]:
    w = context["w"]
    yield heading(2, context["annex"]["hosting"], new_page=True)
    yield heading(3, w["next_meeting"])
    yield or_none(report.next_meeting, paragraph, w["no_next_meeting"])
    head = [w["member"], w["status"], w["history"]]
    for title, hostings, none in context["hosting"]:
        yield heading(3, title)
        rows = [[h.member, h.status, h.history] for h in hostings]
        yield or_none(rows, lambda rs: table("hostings", head, rs), none)


def _annex_glossary(report: Report, context: dict) -> Iterator[Block]:
    yield heading(2, context["annex"]["glossary"], new_page=True)
    for section in report.glossary:
        yield heading(3, section.title)
        yield facts([(entry.term, entry.meaning) for entry in section.entries])


SECTIONS = (
    _summary,
    _decision,
    _implementation,
    _attention,
    _annex_implementation,
    _annex_attention,
    _annex_groups,
    _annex_documents,
    _annex_lineage,
    _annex_hosting,
    _annex_glossary,
)


def pdf_blocks(report: Report, context: dict) -> list[Block]:
    """The report as blocks, in reading order: cover, body, then annexes A to G."""
    blocks = list(_cover(report, context))
    for section in SECTIONS:
        source = section(report, context["w"]) if section is _summary else section(report, context)
        blocks.extend(source)
    return blocks


# --- laying out -----------------------------------------------------------------------------


def parts(blocks: list[Block], limit: int = ROWS_PER_PART) -> list[list[Block]]:
    """The blocks cut into parts of at most `limit` table rows (a table too long for what is
    left of a part goes on in the next, under its header again)."""
    done: list[list[Block]] = []
    current: list[Block] = []
    room = limit
    for block in blocks:
        rows = block.get("rows") if block["t"] == "table" else None
        while rows is not None and len(rows) > room:
            if room:
                current.append({**block, "rows": rows[:room]})
            done.append(current)
            current, rows, room = [], rows[room:], limit
        if rows is not None:
            block = {**block, "rows": rows}
            room -= len(rows)
        current.append(block)
    done.append(current)
    return done


def _compile(data: dict, *, tagged: bool) -> bytes:
    """One part as PDF, laid out by Typst in a child process (see the module's docstring)."""
    tags = "tagged" if tagged else "untagged"
    finished = subprocess.run(
        [sys.executable, str(CHILD), str(TEMPLATE), str(FONT_DIR), tags],
        input=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"The PDF could not be laid out: {finished.stderr.decode()[-2000:]}")
    return finished.stdout


def render_pdf(report: Report, context: dict) -> bytes:
    """The report as one PDF, its parts laid out one after the other and joined."""
    meta = {
        "title": report.title,
        "lang": report.language,
        "marking": report.marking,
        "marking_colour": context["marking_colour"],
        "page": context["w"]["page"],
        "footer": f"{report.title} · {report.forum_acronym}",
    }
    laid_out: list[bytes] = []
    first_page = 1
    cut = parts(pdf_blocks(report, context))
    for blocks in cut:
        # Tags only for a report in one part: joining parts keeps no structure tree.
        data = {"meta": {**meta, "first_page": first_page}, "blocks": blocks}
        pdf = _compile(data, tagged=len(cut) == 1)
        laid_out.append(pdf)
        first_page += PdfReader(io.BytesIO(pdf)).get_num_pages()
    if len(laid_out) == 1:
        return laid_out[0]
    return _join(laid_out, report)


def _join(laid_out: list[bytes], report: Report) -> bytes:
    writer = PdfWriter()
    for pdf in laid_out:
        writer.append(PdfReader(io.BytesIO(pdf)), import_outline=True)
    writer.metadata = {"/Title": report.title}
    writer._root_object[NameObject("/Lang")] = TextStringObject(report.language)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
