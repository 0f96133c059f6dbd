"""The chair's HTML report in Chromium: no text runs past its cell into the next, on a
phone, on a desktop or printed, with a 300-character title, a word of 115 characters, a
long name and a long day (reports/static/reports/chair_report.css)."""

import pytest

from reports.render import render
from tests.reports.test_brief import LONG_NAME, UNBROKEN, long_world

pytestmark = pytest.mark.django_db

# Each table cell whose content is wider than the cell itself, with its opening words.
OVERFLOWING = """() => [...document.querySelectorAll('main td, main th, .annexes td, .annexes th')]
  .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
  .map(cell => cell.textContent.trim().slice(0, 60))"""
# Cells of one row that overlap their neighbour.
OVERLAPPING = """() => [...document.querySelectorAll('tr')].flatMap(row => {
  const boxes = [...row.children].map(cell => cell.getBoundingClientRect());
  return boxes.slice(1).filter((box, i) => box.left < boxes[i].right - 1)
    .map(() => row.textContent.trim().slice(0, 60));
})"""


@pytest.mark.parametrize(
    ("width", "media"), [(360, "screen"), (1000, "screen"), (794, "print")], ids=str
)
def test_no_text_runs_into_the_next_cell(browser, width, media):
    html = render(long_world(), "html").content.decode()
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.emulate_media(media=media)
        page.set_content(html)
        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate(OVERLAPPING) == []
        text = page.inner_text("body")
        assert UNBROKEN.replace("-", "") in text.replace("-", "").replace("\n", "")
        assert " ".join(LONG_NAME) in text
    finally:
        page.close()
