"""The implementation chart of the chair's report, drawn as SVG on the server.

One stacked horizontal bar per outcome document (its outcomes by status) or per working
group (its tasks by status). A printed page is often grey and a reader may not tell red
from green, so every status has a fill pattern as well as a colour, each segment wide
enough carries its count, and each bar repeats its counts in words underneath: the chart
reads without colour.

It draws only the `Bar`s of the Report it is given (already limited to the audience's
level): nothing else goes into it. The same SVG goes inline into the HTML and the PDF;
the DOCX gets it as a PNG (`png`).
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from reports.content import Bar

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


# By status label, as content.py words them (Outcome.Status and Task.Status choices).
LOOKS = {
    # Outcomes
    "Active": Look("#2f6db5", "solid", "#ffffff"),
    "Implemented": Look("#2e8540", "diagonal", "#ffffff"),
    "Elapsed": Look("#8a8f98", "dots", "#ffffff"),
    "Superseded": Look("#6f4e9c", "cross", "#ffffff"),
    # Tasks
    "Not started": Look("#b9bfc8", "solid", "#1b1f24"),
    "In progress": Look("#2f6db5", "diagonal", "#ffffff"),
    "Blocked": Look("#b3261e", "cross", "#ffffff"),
    "Ready for ratification": Look("#c77c02", "dots", "#ffffff"),
    "Ratified": Look("#2e8540", "solid", "#ffffff"),
    "Withdrawn": Look("#5b6470", "horizontal", "#ffffff"),
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


def summary(bars: list[Bar], unit: str) -> str:
    """Every bar's counts in words ("Koror Communiqué: Active 10"), for readers of no image."""
    return "; ".join(f"{bar.label}: {_words(bar, unit)}" for bar in bars)


def _words(bar: Bar, unit: str) -> str:
    words = " · ".join(f"{part.label} {part.value}" for part in bar.parts if part.value)
    return words or f"no {unit}s"


def look_of(label: str, index: int) -> Look:
    return LOOKS.get(label) or SPARE_LOOKS[index % len(SPARE_LOOKS)]


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


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


@dataclass(frozen=True)
class _Palette:
    """The statuses of one chart, in order of first use, and how each is drawn."""

    statuses: list[str]
    looks: dict[str, Look]
    fills: dict[str, str]  # a colour, or the url of the status's <pattern>

    @classmethod
    def of(cls, bars: list[Bar], chart_id: str) -> "_Palette":
        statuses: list[str] = []
        for bar in bars:
            for part in bar.parts:
                if part.label not in statuses:
                    statuses.append(part.label)
        looks = {label: look_of(label, i) for i, label in enumerate(statuses)}
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


def stacked_bars(bars: list[Bar], *, chart_id: str, title: str, unit: str) -> str:
    """The SVG of one chart, or "" when there are no bars to draw.

    `chart_id` prefixes every id inside the SVG, so two charts can sit inline in one
    HTML page without their patterns clashing. `unit` counts a bar: "outcome", "task".
    """
    if not bars:
        return ""
    palette = _Palette.of(bars, chart_id)
    largest = max(bar.total for bar in bars)
    body: list[str] = []
    y = 4.0
    for bar in bars:
        body.append(_bar(bar, y, palette=palette, largest=largest, unit=unit))
        y += ROW_HEIGHT
    legend, height = _legend(palette, y + 4)
    description = summary(bars, unit)
    # A white ground and a small inset: the PNG in Word has no page behind it, and text
    # starting at x=0 would lose its first pixel.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="-3 -1 {WIDTH + 6} {height + 2:.0f}" width="{WIDTH + 6}" '
        f'height="{height + 2:.0f}" '
        f'font-family={quoteattr(FONT)} aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<defs>{palette.defs(chart_id)}</defs><rect x="-3" y="-1" width="{WIDTH + 6}" '
        f'height="{height + 2:.0f}" fill="#ffffff"/>{"".join(body)}{legend}</svg>'
    )


def _bar(bar: Bar, y: float, *, palette: _Palette, largest: int, unit: str) -> str:
    """One bar's rows from `y` down: label and total, the bar, its counts in words."""
    total = _plural(bar.total, unit)
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


def png(svg: str, *, width: int = (WIDTH + 6) * 2) -> bytes:
    """The chart as a PNG for Word, at twice its size so it prints sharply."""
    import cairosvg  # imported here: only the DOCX needs it, and it loads Cairo

    return cairosvg.svg2png(bytestring=svg.encode(), output_width=width)
