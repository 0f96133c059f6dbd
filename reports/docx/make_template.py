"""(Re)create `chair_report_template.docx`, the Word template of the chair's report.

    .venv/bin/python reports/docx/make_template.py

The report is the leaders' brief (reports/brief.py): the main body (cover, the chair's
summary, for the leaders' decision, the state of implementation, stalled or overdue work),
then the annexes from a new page, A to G.

The secretariat restyles the report in Word, without code: open the .docx, change the
styles (Title, Heading 1/2, Subtitle, Quote, Table Grid, "TLP Marking", "Table Text",
"Outcome Nested", "Report Note", …), margins, header or footer, and save it in place. Keep
the `{{ … }}` and `{%… %}` tags: docxtpl fills them from reports/render.py's context
(the Report as `report`, the fixed words as `w`, in the report's language). Run this
script only to start again from the committed layout; it overwrites the file.

Every table has fixed column widths that add up to the text width (Word wraps a long
word inside its cell rather than widening the column over the next one), and its heading
row repeats at the top of each page it runs onto.

Tags docxtpl understands: `{{ x }}` a value, `{{r x }}` rich text (the coloured TLP
marking), `{%p … %}` a paragraph that is a loop or condition, `{%tr … %}` a table row
that is one.
"""

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent / "chair_report_template.docx"

FONT = "Calibri"  # ships with Word; renders macrons and French accents
INK = RGBColor(0x1B, 0x1F, 0x24)
ACCENT = RGBColor(0x1D, 0x3F, 0x6E)
MUTED = RGBColor(0x4A, 0x52, 0x60)
TEXT_WIDTH_MM = 178  # A4 210 mm less 16 mm margins each side
# TLP 2.0 (FIRST): each label's colour, written on black.
MARKING_COLOURS = {
    "TLP:CLEAR": "FFFFFF",
    "TLP:GREEN": "33FF00",
    "TLP:AMBER": "FFC000",
    "TLP:RED": "FF2B2B",
}


def _font(style, size, *, bold=None, colour=INK):
    style.font.name = FONT
    # Word reads the East Asian and complex-script font slots too; set them all.
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(slot), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        rfonts.attrib.pop(qn(theme), None)
    style.font.size = Pt(size)
    style.font.color.rgb = colour
    if bold is not None:
        style.font.bold = bold


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _font(normal, 10)
    normal.paragraph_format.space_after = Pt(4)

    title = styles["Title"]
    _font(title, 24, bold=True)
    title.paragraph_format.space_after = Pt(10)
    _font(styles["Subtitle"], 11, bold=True, colour=ACCENT)
    styles["Subtitle"].font.italic = False
    for name, size in (("Heading 1", 15), ("Heading 2", 11.5), ("Heading 3", 10.5)):
        _font(styles[name], size, bold=True, colour=ACCENT if name == "Heading 1" else INK)
        styles[name].paragraph_format.space_before = Pt(14 if name == "Heading 1" else 9)
        styles[name].paragraph_format.space_after = Pt(4)
        styles[name].paragraph_format.keep_with_next = True
    _font(styles["Quote"], 10)
    styles["Quote"].font.italic = False
    styles["Quote"].paragraph_format.left_indent = Mm(6)
    _font(styles["Caption"], 10, bold=True)
    styles["Caption"].font.italic = False

    marking = styles.add_style("TLP Marking", WD_STYLE_TYPE.PARAGRAPH)
    marking.base_style = normal
    _font(marking, 11, bold=True)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    marking.paragraph_format.space_after = Pt(6)

    # One character style per level: the TLP 2.0 colour on black. render.py picks the one
    # of the report's level; leave the colours as they are (they are the standard's).
    for label, colour in MARKING_COLOURS.items():
        style = styles.add_style(label.replace(":", " "), WD_STYLE_TYPE.CHARACTER)
        style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(colour)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), "000000")
        style.element.get_or_add_rPr().append(shading)

    table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    _font(table_text, 8.5)
    table_text.paragraph_format.space_after = Pt(0)

    nested = styles.add_style("Outcome Nested", WD_STYLE_TYPE.PARAGRAPH)
    nested.base_style = table_text
    nested.paragraph_format.left_indent = Mm(6)

    note = styles.add_style("Report Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    _font(note, 10, colour=MUTED)

    meta = styles.add_style("Table Meta", WD_STYLE_TYPE.PARAGRAPH)
    meta.base_style = table_text
    _font(meta, 8, colour=MUTED)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): Word computes it when the document is opened."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(16)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    section.header_distance = section.footer_distance = Mm(8)

    header = section.header.paragraphs[0]
    header.style = document.styles["TLP Marking"]
    header.add_run("{{r marking_rt }}")

    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run("{{r marking_rt }}")
    footer.add_run("\t{{ report.title }} · Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _p(document, text: str, style: str | None = None):
    return document.add_paragraph(text, style=style)


def _repeat_header(row) -> None:
    """Word repeats this row at the top of each page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cell(cell, text: str, *, style: str = "Table Text", bold: bool = False):
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles[style]
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    return paragraph


def _add_cell_paragraph(cell, text: str, style: str = "Table Text", bold: bool = False):
    paragraph = cell.add_paragraph(style=style)
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    return paragraph


def _fix_widths(table, widths_mm: list[float]) -> None:
    """Fixed layout: the grid, the table and every cell say the same widths, so that Word
    and LibreOffice keep each column as wide as given and wrap the text inside it."""
    if sum(widths_mm) > TEXT_WIDTH_MM:
        raise ValueError(f"{widths_mm} is wider than the page's text ({TEXT_WIDTH_MM} mm)")
    table.autofit = False  # <w:tblLayout w:type="fixed"/>
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
        column.w = Mm(width)
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(round(sum(widths_mm) * 1440 / 25.4)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _table(document, headings: list[str], widths_mm: list[float], loop: str, cells: list):
    """A Table Grid table: a heading row, then one row per item of `loop`.

    `cells` gives each column's content for the loop's item: a string (one paragraph) or
    a function that fills the cell itself.
    """
    rows = 3 + (1 if headings else 0)
    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, widths_mm)
    first = 0
    if headings:
        for cell, heading in zip(table.rows[0].cells, headings, strict=True):
            _cell(cell, heading, bold=True)
            _shade(cell, "EEF1F5")
        _repeat_header(table.rows[0])
        first = 1
    _cell(table.rows[first].cells[0], f"{{%tr for {loop} %}}")
    for cell, content in zip(table.rows[first + 1].cells, cells, strict=True):
        if callable(content):
            content(cell)
        else:
            _cell(cell, content)
    _cell(table.rows[first + 2].cells[0], "{%tr endfor %}")
    return table


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _words(*keys: str) -> list[str]:
    """Column headings: the report's words (`w`), in its language."""
    return [f"{{{{ w.{key} }}}}" for key in keys]


def _if_else(document, condition: str, then, none: str) -> None:
    """`then(document)` when `condition` holds, else the sentence `none` as a note."""
    _p(document, f"{{%p if {condition} %}}")
    then(document)
    _p(document, "{%p else %}")
    _p(document, f"{{{{ {none} }}}}", "Report Note")
    _p(document, "{%p endif %}")


def _none_if_empty(document, items: str, none: str) -> None:
    """After a loop over `items`, the sentence `none` when there was nothing to loop over."""
    _p(document, f"{{%p if not {items} %}}")
    _p(document, f"{{{{ {none} }}}}", "Report Note")
    _p(document, "{%p endif %}")


def _counts(document, items: str, has: str, none: str) -> None:
    _if_else(
        document,
        has,
        lambda d: _table(d, [], [120, 25], f"c in {items}", ["{{ c.label }}", "{{ c.value }}"]),
        none,
    )


def _task_table(document, items: str, *, show_group: bool) -> None:
    def task_cell(cell):
        _cell(cell, "{{ t.title }}", bold=True)
        if show_group:
            _add_cell_paragraph(cell, "{{ t.group }}", "Table Meta")
        _add_cell_paragraph(cell, "{%p if t.serves %}", "Table Meta")
        _add_cell_paragraph(cell, "{{ w.serves }}: {{ t.serves|join('; ') }}", "Table Meta")
        _add_cell_paragraph(cell, "{%p endif %}", "Table Meta")

    _table(
        document,
        _words("task", "lead", "due", "status", "progress", "latest"),
        [48, 25, 21, 21, 20, 43],
        f"t in {items}",
        [
            task_cell,
            "{{ t.lead }}",
            "{{ t.due }}",
            "{{ t.status }}",
            "{{ t.progress }}%",
            "{{ t.latest }}",
        ],
    )


def _attention_table(document, items: str) -> None:
    def task_cell(cell):
        _cell(cell, "{{ a.task.title }}", bold=True)
        _add_cell_paragraph(cell, "{{ a.task.group }} · {{ a.task.status }}", "Table Meta")
        _add_cell_paragraph(cell, "{%p if a.task.serves %}", "Table Meta")
        _add_cell_paragraph(cell, "{{ w.serves }}: {{ a.task.serves|join('; ') }}", "Table Meta")
        _add_cell_paragraph(cell, "{%p endif %}", "Table Meta")

    _table(
        document,
        _words("task", "lead", "due", "why", "last_moved"),
        [70, 32, 24, 26, 26],
        f"a in {items}",
        [task_cell, "{{ a.task.lead }}", "{{ a.task.due }}", "{{ a.why }}", "{{ a.last_moved }}"],
    )


def _implementation_table(document, items: str) -> None:
    _table(
        document,
        _words("outcome", "state", "progress", "work", "last_moved"),
        [80, 28, 20, 25, 25],
        f"o in {items}",
        [
            _implementation_outcome,
            "{{ o.state }}",
            "{{ o.progress }}",
            "{{ o.work }}",
            "{{ o.last_moved }}",
        ],
    )


def _hostings(document, items: str, none: str) -> None:
    _if_else(
        document,
        items,
        lambda d: _table(
            d,
            _words("member", "status", "history"),
            [55, 40, 83],
            f"h in {items}",
            ["{{ h.member }}", "{{ h.status }}", "{{ h.history }}"],
        ),
        none,
    )


def build() -> DocumentObject:
    document = Document()
    _styles(document)
    _page(document)
    # The default template's one empty paragraph goes: the report starts with its marking.
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    # The main body: what leaders read first.
    _cover(document)
    _summary(document)
    _decision(document)
    _implementation(document)
    _attention(document)
    # The annexes, from a new page.
    _annex_implementation(document)
    _annex_attention(document)
    _annex_groups(document)
    _annex_documents(document)
    _annex_lineage(document)
    _annex_hosting(document)
    _annex_glossary(document)
    _properties(document)
    return document


def _row_label(cell) -> None:
    _cell(cell, "{{ row[0] }}", bold=True)


def _cover(document) -> None:
    _p(document, "{{r marking_rt }}", "TLP Marking")
    _p(document, "{{ report.forum }}", "Subtitle")
    _p(document, "{{ report.title }}", "Title")
    _table(document, [], [45, 133], "row in cover", [_row_label, "{{ row[1] }}"])


def _chart(document, key: str, *, always: bool) -> None:
    """A PNG of the same SVG as the HTML and PDF; when not drawn, its sentence (`always`)."""
    _p(document, f"{{%p if charts.{key}.image or {always} %}}")
    _p(document, f"{{{{ charts.{key}.title }}}}", "Caption")
    _p(document, f"{{%p if charts.{key}.image %}}")
    _p(document, f"{{{{ charts.{key}.image }}}}")
    _p(document, "{%p else %}")
    _p(document, f"{{{{ charts.{key}.none }}}}", "Report Note")
    _p(document, "{%p endif %}")
    _p(document, "{%p endif %}")


def _chairs_words(document, text: str, none: str) -> None:
    """The chair's plain text: docxtpl writes each line break as a Word line break."""
    _if_else(document, text, lambda d: _p(d, f"{{{{ {text} }}}}"), none)


def _summary(document) -> None:
    _p(document, "{{ w.summary }}", "Heading 1")
    _p(document, "{{ w.key_messages }}", "Heading 2")
    _chairs_words(document, "report.key_messages", "w.no_key_messages")


def _decision_task(cell) -> None:
    _cell(cell, "{{ t.title }}", bold=True)
    _add_cell_paragraph(cell, "{{ t.group }}", "Table Meta")


def _decision(document) -> None:
    _p(document, "{{ w.decision }}", "Heading 1")
    _p(document, "{{ w.ready }} ({{ report.ready|length }})", "Heading 2")

    def ready(d):
        _p(d, "{{ w.ready_note }}", "Report Note")
        _table(
            d,
            _words("task", "serves", "lead"),
            [76, 62, 40],
            "t in report.decisions",
            [_decision_task, "{{ t.serves|join('; ') or '—' }}", "{{ t.lead }}"],
        )
        _more(d, "decisions")

    _if_else(document, "report.decisions", ready, "w.no_ready")
    _p(document, "{{ w.recommendations }}", "Heading 2")
    _chairs_words(document, "report.recommendations", "w.no_recommendations")


def _more(document, key: str) -> None:
    """What a capped list of the body left to its annex."""
    _p(document, f"{{%p if more.{key} %}}")
    _p(document, f"{{{{ more.{key} }}}}", "Report Note")
    _p(document, "{%p endif %}")


def _implementation_outcome(cell) -> None:
    _cell(cell, "{{ o.code }} {{ o.label }}", bold=True)
    _add_cell_paragraph(cell, "{{ o.text }}", "Table Meta")


def _by_meeting(document) -> None:
    """The body's count of outcomes by meeting and state: the same bars as the chart."""
    states = [f"{{{{ state_labels[{n}] }}}}" for n in range(6)]
    values = [f"{{{{ bar.parts[{n}].value }}}}" for n in range(6)]
    _table(
        document,
        ["{{ w.meeting }}", "{{ w.outcomes }}", *states],
        [40, 18, 20, 20, 20, 20, 20, 20],
        "bar in report.implementation_by_meeting",
        ["{{ bar.label }}", "{{ bar.total }}", *values],
    )


def _implementation(document) -> None:
    """The state of implementation in the body: figures, the chart, the count by meeting,
    this meeting's outcomes (the first of them), and the chart of work done."""
    _p(document, "{{ w.implementation }}", "Heading 1")
    _p(document, "{{ implementation_note }}", "Report Note")
    _table(document, [], [120, 25], "row in key_figures", [_row_label, "{{ row[1] }}"])
    _chart(document, "implementation", always=False)
    _p(document, "{{ w.by_meeting }}", "Heading 2")
    _if_else(document, "report.implementation_by_meeting", _by_meeting, "w.no_by_meeting")
    _p(document, "{{ w.implementation_this }} ({{ report.implementation|length }})", "Heading 2")

    def outcomes(d):
        _implementation_table(d, "report.implementation_body")
        _more(d, "implementation")

    _if_else(document, "report.implementation_body", outcomes, "w.no_implementation_this")
    _chart(document, "work_done", always=True)


def _attention(document) -> None:
    _p(document, "{{ w.attention }} ({{ report.attention_all|length }})", "Heading 1")
    _p(document, "{{ attention_note }}", "Report Note")

    def listed(d):
        _attention_table(d, "report.attention")
        _more(d, "attention")

    _if_else(document, "report.attention", listed, "w.no_attention")


def _annex_heading(document, key: str, *, new_page: bool = False) -> None:
    heading = _p(document, f"{{{{ annex.{key} }}}}", "Heading 1")
    heading.paragraph_format.page_break_before = new_page


def _annex_implementation(document) -> None:
    """Annex A: every outcome, one table per list render.py gives (`implementation`)."""
    _annex_heading(document, "implementation", new_page=True)
    _p(document, "{{ w.earlier_by_status }}", "Heading 3")
    _counts(document, "report.earlier_by_status", "has_earlier", "w.no_earlier")
    _p(document, "{%p for block in implementation %}")
    _p(document, "{{ block.title }} ({{ block.outcomes|length }})", "Heading 2")
    _if_else(
        document,
        "block.outcomes",
        lambda d: _implementation_table(d, "block.outcomes"),
        "block.none",
    )
    _p(document, "{%p endfor %}")


def _task_list(document, block: str) -> None:
    _p(document, f"{{{{ {block}.title }}}} ({{{{ {block}.tasks|length }}}})", "Heading 2")
    _if_else(
        document,
        f"{block}.tasks",
        lambda d: _task_table(d, f"{block}.tasks", show_group=True),
        f"{block}.none",
    )


def _annex_attention(document) -> None:
    """Annex B: ready for ratification, stalled or overdue, blocked and carried over, whole."""
    _annex_heading(document, "attention")
    _task_list(document, "task_lists[0]")
    _p(document, "{{ w.attention }} ({{ report.attention_all|length }})", "Heading 2")
    _if_else(
        document,
        "report.attention_all",
        lambda d: _attention_table(d, "report.attention_all"),
        "w.no_attention",
    )
    _p(document, "{%p for block in task_lists[1:] %}")
    _task_list(document, "block")
    _p(document, "{%p endfor %}")


def _annex_groups(document) -> None:
    _annex_heading(document, "groups")
    _p(document, "{{ w.tasks_by_status }}", "Heading 3")
    _counts(document, "report.tasks_by_status", "has_tasks", "w.no_tasks")
    _chart(document, "groups", always=False)
    _p(document, "{%p for group in report.groups %}")
    _p(document, "{{ group.name }}", "Heading 2")
    _p(document, "{{ w.mandate }}: {{ group.mandate or '—' }}")
    _p(document, "{{ w.reports_to }}: {{ group.reports_to }}")
    _if_else(
        document,
        "group.tasks",
        lambda d: _task_table(d, "group.tasks", show_group=False),
        "w.no_group_tasks",
    )
    _p(document, "{%p endfor %}")
    _none_if_empty(document, "report.groups", "w.no_groups")


def _outcome_text(cell) -> None:
    _cell(cell, "{%p if o.depth %}")
    _add_cell_paragraph(cell, "{{ o.text }}", "Outcome Nested")
    _add_cell_paragraph(cell, "{%p else %}")
    _add_cell_paragraph(cell, "{{ o.text }}")
    _add_cell_paragraph(cell, "{%p endif %}")


def _outcome_code(cell) -> None:
    _cell(cell, "{{ o.code }}", bold=True)


def _annex_documents(document) -> None:
    _annex_heading(document, "documents")
    _p(document, "{{ w.by_kind }}", "Heading 3")
    _counts(document, "report.outcomes_by_kind", "report.outcomes_by_kind", "w.no_adopted")
    _p(document, "{%p for document in report.documents %}")
    _p(document, "{{ document.title }}", "Heading 2")
    _p(document, "{{ document.code }} · {{ document.kind }}", "Report Note")
    _if_else(
        document,
        "document.outcomes",
        lambda d: _table(
            d,
            _words("citation", "number", "kind", "status", "text"),
            [28, 14, 24, 20, 92],
            "o in document.outcomes",
            [_outcome_code, "{{ o.number }}", "{{ o.kind }}", "{{ o.status }}", _outcome_text],
        ),
        "w.no_outcomes",
    )
    _p(document, "{%p endfor %}")
    _none_if_empty(document, "report.documents", "w.no_documents")


def _annex_lineage(document) -> None:
    _annex_heading(document, "lineage")
    _p(document, "{%p for item in report.lineage %}")
    _p(document, "{{ item.label }} ({{ item.code }})", "Heading 2")
    _p(document, "{{ item.text }}", "Quote")
    _p(document, "{{ w.status }}: {{ item.status }}")
    _p(document, "{%p if item.acted_on_by %}")
    _p(document, "{{ w.acted_on_by }}: {{ item.acted_on_by|join('; ') }}")
    _p(document, "{%p endif %}")
    _if_else(
        document,
        "item.tasks",
        lambda d: _task_table(d, "item.tasks", show_group=True),
        "w.no_lineage_tasks",
    )
    _p(document, "{%p endfor %}")
    _none_if_empty(document, "report.lineage", "w.no_lineage")


def _annex_hosting(document) -> None:
    _annex_heading(document, "hosting")
    _p(document, "{{ w.next_meeting }}", "Heading 2")
    _if_else(
        document,
        "report.next_meeting",
        lambda d: _p(d, "{{ report.next_meeting }}"),
        "w.no_next_meeting",
    )
    _p(document, "{{ w.next_hostings }}", "Heading 2")
    _hostings(document, "report.next_hostings", "w.no_next_hostings")
    _p(document, "{{ w.after_hostings }}", "Heading 2")
    _hostings(document, "report.hostings_after", "w.no_after_hostings")


def _glossary_term(cell) -> None:
    _cell(cell, "{{ e.term }}", bold=True)


def _annex_glossary(document) -> None:
    _annex_heading(document, "glossary")
    _p(document, "{%p for section in report.glossary %}")
    _p(document, "{{ section.title }}", "Heading 2")
    _table(
        document,
        [],
        [45, 133],
        "e in section.entries",
        [_glossary_term, "{{ e.meaning }}"],
    )
    _p(document, "{%p endfor %}")


def _properties(document) -> None:
    """A template says nothing about anyone: render.py sets the report's own properties."""
    props = document.core_properties
    props.author = props.last_modified_by = "Talanoa"
    props.title = "Chair's report (template)"
    props.subject = props.keywords = props.comments = props.category = ""


def main(path: Path = OUT) -> Path:
    build().save(str(path))
    return path


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
