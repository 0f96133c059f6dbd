"""The charts of the chair's report, drawn as SVG on the server.

- `stacked_bars`: one stacked horizontal bar per meeting (its outcomes by state) or per
  working group (its tasks by status);
- `columns`: one stacked column per week or month (the work ready for ratification or
  ratified by then).

A printed page is often grey and a reader may not tell red from green, so every status has
a fill pattern as well as a colour, each segment wide enough carries its count, and the
counts are also in words (under each bar; in the chart's description): the chart reads
without colour. A chart that would show a single value is not drawn (`informative`): its
words say it.

It draws only the `Bar`s of the Report it is given (already limited to the audience's
level): nothing else goes into it. The same SVG goes inline into the HTML and the PDF;
the DOCX gets it as a PNG (`png`).
"""

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext, ngettext

from reports.content import Bar, Count

WIDTH = 680
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
LABEL_SIZE = 12
SMALL_SIZE = 10.5
BAR_HEIGHT = 22
# One bar's rows: its label and total, the bar, its counts in words, then a gap.
LABEL_ROW, WORDS_ROW, ROW_GAP = 16, 16, 14
ROW_HEIGHT = LABEL_ROW + BAR_HEIGHT + WORDS_ROW + ROW_GAP
# DejaVu Sans averages about 0.6 em per character: enough to decide whether a count fits
# inside its segment and where a legend entry wraps (no font metrics on the server).
CHAR_EM = 0.6


@dataclass(frozen=True)
class Look:
    fill: str
    pattern: str  # "solid", "diagonal", "dots", "cross", "horizontal", "vertical"
    ink: str  # the colour of a count drawn on the segment


# By what a count counts (Count.key, as content.py names them), in any language.
LOOKS = {
    # Where an outcome stands (workinggroups.implementation.State)
    "state:done": Look("#2e8540", "solid", "#ffffff"),
    "state:ready": Look("#c77c02", "dots", "#ffffff"),
    "state:under_way": Look("#2f6db5", "diagonal", "#ffffff"),
    "state:not_started": Look("#b9bfc8", "solid", "#1b1f24"),
    "state:stalled": Look("#b3261e", "cross", "#ffffff"),
    "state:no_work": Look("#e4e7ec", "horizontal", "#1b1f24"),
    # Tasks
    "task:not_started": Look("#b9bfc8", "solid", "#1b1f24"),
    "task:in_progress": Look("#2f6db5", "diagonal", "#ffffff"),
    "task:blocked": Look("#b3261e", "cross", "#ffffff"),
    "task:ready": Look("#c77c02", "dots", "#ffffff"),
    "task:ratified": Look("#2e8540", "solid", "#ffffff"),
    "task:withdrawn": Look("#5b6470", "horizontal", "#ffffff"),
}
# A status this module does not know yet still gets a distinct look.
SPARE_LOOKS = (
    Look("#006d77", "vertical", "#ffffff"),
    Look("#9c4f2e", "horizontal", "#ffffff"),
    Look("#44546a", "dots", "#ffffff"),
)


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its caption, the SVG (empty when there is nothing to draw)."""

    key: str
    title: str
    svg: str
    none: str  # the sentence shown instead of an empty chart
    summary: str = ""  # the chart in words: its text alternative


# What a bar counts, in words: "3 outcomes", and "no outcomes" for an empty one.
UNITS = {
    "outcome": lambda n: ngettext("%(count)s outcome", "%(count)s outcomes", n) % {"count": n},
    "task": lambda n: ngettext("%(count)s task", "%(count)s tasks", n) % {"count": n},
}
NONE = {"outcome": lambda: gettext("no outcomes"), "task": lambda: gettext("no tasks")}


def informative(bars: list[Bar]) -> bool:
    """Whether a chart of these bars shows more than one value: a single bar with a single
    status ("8 Active") says nothing a sentence does not."""
    return sum(1 for bar in bars for part in bar.parts if part.value) > 1


def summary(bars: list[Bar], unit: str) -> str:
    """Every bar's counts in words ("5th JHOPS: Stalled 2 · No work assigned 8"), for
    readers of no image."""
    return "; ".join(f"{bar.label}: {_words(bar, unit)}" for bar in bars)


def _words(bar: Bar, unit: str) -> str:
    words = " · ".join(f"{part.label} {part.value}" for part in bar.parts if part.value)
    return words or NONE[unit]()


def look_of(part: Count, index: int) -> Look:
    return LOOKS.get(part.key) or SPARE_LOOKS[index % len(SPARE_LOOKS)]


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_EM


def _fit(text: str, size: float, width: float) -> str:
    """Shorten a label that would run past `width` (the full name is in the report's text)."""
    room = int(width / (size * CHAR_EM))
    return text if len(text) <= room else text[: max(room - 1, 1)].rstrip() + "…"


def _pattern(pattern_id: str, look: Look) -> str:
    """A <pattern>: the status colour with a light texture drawn over it."""
    marks = {
        "diagonal": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" '
        'stroke-opacity="0.55" stroke-width="1.6"/>',
        "dots": '<circle cx="4" cy="4" r="1.5" fill="#ffffff" fill-opacity="0.6"/>',
        "cross": '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#ffffff" stroke-opacity="0.5" '
        'stroke-width="1.3"/>',
        "horizontal": '<path d="M0,4 h8" stroke="#ffffff" stroke-opacity="0.55" '
        'stroke-width="1.6"/>',
        "vertical": '<path d="M4,0 v8" stroke="#ffffff" stroke-opacity="0.55" stroke-width="1.6"/>',
    }[look.pattern]
    return (
        f'<pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{look.fill}"/>{marks}</pattern>'
    )


@dataclass(frozen=True)
class _Palette:
    """The statuses of one chart, in order of first use, and how each is drawn."""

    statuses: list[str]
    looks: dict[str, Look]
    fills: dict[str, str]  # a colour, or the url of the status's <pattern>

    @classmethod
    def of(cls, bars: list[Bar], chart_id: str) -> "_Palette":
        parts: dict[str, Count] = {}
        for bar in bars:
            for part in bar.parts:
                parts.setdefault(part.label, part)
        statuses = list(parts)
        looks = {label: look_of(parts[label], i) for i, label in enumerate(statuses)}
        # A plain colour needs no <pattern> (tiled, it shows seams in some PDF viewers).
        fills = {
            label: looks[label].fill
            if looks[label].pattern == "solid"
            else f"url(#{chart_id}-p{i})"
            for i, label in enumerate(statuses)
        }
        return cls(statuses=statuses, looks=looks, fills=fills)

    def defs(self, chart_id: str) -> str:
        return "".join(
            _pattern(f"{chart_id}-p{i}", self.looks[label])
            for i, label in enumerate(self.statuses)
            if self.looks[label].pattern != "solid"
        )


def stacked_bars(
    bars: list[Bar], *, chart_id: str, title: str, unit: str, shares: bool = False
) -> str:
    """The SVG of one chart, or "" when there are no bars to draw.

    `chart_id` prefixes every id inside the SVG, so two charts can sit inline in one
    HTML page without their patterns clashing. `unit` counts a bar: "outcome", "task".
    `shares`: each bar fills the width, its parts as shares of its own total (how a
    meeting of 12 outcomes stands beside one of 500); else as wide as its count.
    """
    if not bars:
        return ""
    palette = _Palette.of(bars, chart_id)
    largest = max(bar.total for bar in bars)
    body: list[str] = []
    y = 4.0
    for bar in bars:
        scale = bar.total if shares else largest
        body.append(_bar(bar, y, palette=palette, largest=scale, unit=unit))
        y += ROW_HEIGHT
    legend, height = _legend(palette, y + 4)
    return _svg(
        chart_id, title, summary(bars, unit), palette.defs(chart_id), "".join(body) + legend, height
    )


def _svg(chart_id: str, title: str, description: str, defs: str, body: str, height: float) -> str:
    # A white ground and a small inset: the PNG in Word has no page behind it, and text
    # starting at x=0 would lose its first pixel.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="-3 -1 {WIDTH + 6} {height + 2:.0f}" width="{WIDTH + 6}" '
        f'height="{height + 2:.0f}" '
        f'font-family={quoteattr(FONT)} aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<defs>{defs}</defs><rect x="-3" y="-1" width="{WIDTH + 6}" '
        f'height="{height + 2:.0f}" fill="#ffffff"/>{body}</svg>'
    )


def _bar(bar: Bar, y: float, *, palette: _Palette, largest: int, unit: str) -> str:
    """One bar's rows from `y` down: label and total, the bar, its counts in words."""
    total = UNITS[unit](bar.total)
    label = _fit(bar.label, LABEL_SIZE, WIDTH - _text_width(total, LABEL_SIZE) - 16)
    top = y + LABEL_ROW
    words = _words(bar, unit)
    return (
        f'<text x="0" y="{y + 12:.1f}" font-size="{LABEL_SIZE}" font-weight="bold" '
        f'fill="#1b1f24">{escape(label)}</text>'
        f'<text x="{WIDTH}" y="{y + 12:.1f}" font-size="{LABEL_SIZE}" text-anchor="end" '
        f'fill="#1b1f24">{escape(total)}</text>'
        # The track: an empty bar still shows where it would be.
        f'<rect x="0" y="{top:.1f}" width="{WIDTH}" height="{BAR_HEIGHT}" fill="#ffffff" '
        f'stroke="#c9ced6" stroke-width="0.8"/>'
        f"{_segments(bar, top, palette=palette, largest=largest)}"
        f'<text x="0" y="{top + BAR_HEIGHT + 13:.1f}" font-size="{SMALL_SIZE}" '
        f'fill="#3d4450">{escape(_fit(words, SMALL_SIZE, WIDTH))}</text>'
    )


def _segments(bar: Bar, top: float, *, palette: _Palette, largest: int) -> str:
    """A bar's segments, each as wide as its share of the largest bar, with its count."""
    drawn: list[str] = []
    x = 0.0
    for part in bar.parts:
        if not part.value or not largest:
            continue
        width = WIDTH * part.value / largest
        drawn.append(
            f'<rect x="{x:.2f}" y="{top:.1f}" width="{width:.2f}" height="{BAR_HEIGHT}" '
            f'fill="{palette.fills[part.label]}" stroke="#ffffff" stroke-width="1"/>'
        )
        count = str(part.value)
        if width >= _text_width(count, SMALL_SIZE) + 10:
            drawn.append(_count(count, x + width / 2, top, palette.looks[part.label]))
        x += width
    return "".join(drawn)


def _count(count: str, middle: float, top: float, look: Look) -> str:
    """A segment's count, centred on it; a solid backing keeps it legible over the texture."""
    pad = _text_width(count, SMALL_SIZE) / 2 + 3
    return (
        f'<rect x="{middle - pad:.2f}" y="{top + 4:.1f}" width="{2 * pad:.2f}" '
        f'height="{BAR_HEIGHT - 8}" rx="2" fill="{look.fill}"/>'
        f'<text x="{middle:.2f}" y="{top + BAR_HEIGHT / 2 + 4:.1f}" '
        f'font-size="{SMALL_SIZE}" font-weight="bold" text-anchor="middle" '
        f'fill="{look.ink}">{count}</text>'
    )


def _legend(palette: _Palette, top: float) -> tuple[str, float]:
    """A swatch with the pattern, then the status in words, wrapping as needed; and the
    chart's height below it."""
    legend: list[str] = []
    lx, ly = 0.0, top
    for label in palette.statuses:
        needed = 19 + _text_width(label, SMALL_SIZE) + 16
        if lx and lx + needed > WIDTH:
            lx, ly = 0.0, ly + 20
        legend.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="14" height="14" '
            f'fill="{palette.fills[label]}" stroke="#5b6470" stroke-width="0.6"/>'
            f'<text x="{lx + 19:.1f}" y="{ly + 11:.1f}" font-size="{SMALL_SIZE}" '
            f'fill="#1b1f24">{escape(label)}</text>'
        )
        lx += needed
    return "".join(legend), ly + 20


# The column chart: the plot's height, and the room its scale takes on the left.
PLOT_HEIGHT = 150
AXIS = 34


def columns(bars: list[Bar], *, chart_id: str, title: str, unit: str) -> str:
    """The SVG of a column chart, one stacked column per bar from left to right (weeks or
    months), with its total on top and its label under it; "" when there are no bars."""
    if not bars:
        return ""
    palette = _Palette.of(bars, chart_id)
    largest = max(bar.total for bar in bars) or 1
    slot = (WIDTH - AXIS) / len(bars)
    top = 14.0
    widest = max(_text_width(bar.label, SMALL_SIZE) for bar in bars)
    # Labels counted back from the last column, as many as fit side by side.
    every = max(1, math.ceil((widest + 8) / slot))
    body = [_scale(largest, top)]
    for i, bar in enumerate(bars):
        x = AXIS + i * slot
        body.append(_column(bar, x, slot, top, palette=palette, largest=largest))
        if (len(bars) - 1 - i) % every == 0:
            body.append(
                f'<text x="{x + slot / 2:.2f}" y="{top + PLOT_HEIGHT + 15:.1f}" '
                f'font-size="{SMALL_SIZE}" text-anchor="middle" fill="#3d4450">'
                f"{escape(bar.label)}</text>"
            )
    legend, height = _legend(palette, top + PLOT_HEIGHT + 28)
    return _svg(
        chart_id, title, summary(bars, unit), palette.defs(chart_id), "".join(body) + legend, height
    )


def _scale(largest: int, top: float) -> str:
    """The baseline and a line at the largest total (and half of it), each with its count."""
    marks = sorted({0, largest // 2, largest}) if largest > 1 else [0, largest]
    lines = []
    for value in marks:
        y = top + PLOT_HEIGHT * (1 - value / largest)
        lines.append(
            f'<line x1="{AXIS - 4}" y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}" '
            f'stroke="{"#5b6470" if value == 0 else "#dde1e7"}" stroke-width="0.8"/>'
            f'<text x="{AXIS - 7}" y="{y + 4:.1f}" font-size="{SMALL_SIZE}" text-anchor="end" '
            f'fill="#3d4450">{value}</text>'
        )
    return "".join(lines)


def _column(bar: Bar, x: float, slot: float, top: float, *, palette: _Palette, largest: int) -> str:
    """One column, its parts stacked from the baseline up, its total above it."""
    width = min(slot * 0.7, 48.0)
    left = x + (slot - width) / 2
    bottom = top + PLOT_HEIGHT
    drawn: list[str] = []
    for part in bar.parts:
        if not part.value:
            continue
        height = PLOT_HEIGHT * part.value / largest
        bottom -= height
        drawn.append(
            f'<rect x="{left:.2f}" y="{bottom:.2f}" width="{width:.2f}" height="{height:.2f}" '
            f'fill="{palette.fills[part.label]}" stroke="#ffffff" stroke-width="1"/>'
        )
    if bar.total:
        drawn.append(
            f'<text x="{x + slot / 2:.2f}" y="{bottom - 3:.1f}" font-size="{SMALL_SIZE}" '
            f'font-weight="bold" text-anchor="middle" fill="#1b1f24">{bar.total}</text>'
        )
    return "".join(drawn)


def png(svg: str, *, width: int = (WIDTH + 6) * 2) -> bytes:
    """The chart as a PNG for Word, at twice its size so it prints sharply."""
    import cairosvg  # imported here: only the DOCX needs it, and it loads Cairo

    return cairosvg.svg2png(bytestring=svg.encode(), output_width=width)
