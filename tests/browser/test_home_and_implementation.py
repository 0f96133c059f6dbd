"""A chair's way in, on a 360 px phone: from the home page to the forum's state of
implementation and to the chair's report by following links only; and the state of
implementation of a forum with 500 outcomes, still light and readable.

Data: the real JHoPS record and the DEMO forum (tests/browser/conftest.py `jhops`); the
demo logins' password is DEMO_PASSWORD.
"""

import re
from urllib.parse import parse_qs, urlparse

from django.urls import reverse

from fixtures.jhops import DEMO_PASSWORD, FORUM_ACRONYM
from forums.models import Meeting
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument
from tests.browser.conftest import axe_check, page_weight, screenshot, sign_in

PAGE_BUDGET_BYTES = 100 * 1024
PHONE_WIDTH = 360


def test_a_chair_reaches_the_state_of_implementation_and_the_report_from_home(
    phone, live_server, jhops
):
    page = phone().new_page()
    sign_in(page, live_server, "chair", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    assert urlparse(page.url).path == "/"
    forum = page.get_by_role("region", name=re.compile("Joint Heads of Pacific Security"))
    assert "Chair, 5th JHOPS" in forum.inner_text()
    axe_check(page)
    screenshot(page, "home-chair-360px")

    with page.expect_navigation():
        forum.get_by_role("link", name="State of implementation").click()
    assert page.get_by_role("heading", name="State of implementation", level=1).is_visible()
    denarau_16 = page.locator("li").filter(
        has=page.get_by_role("link", name="JHOPS/4/16", exact=True)
    )
    assert "Stalled" in denarau_16.inner_text()
    assert denarau_16.get_by_role("progressbar", name="Progress").get_attribute("value") == "0"
    screenshot(page, "implementation-chair-360px")

    # Only what is stalled: a GET form, so the address can be kept and shared.
    page.get_by_label("State", exact=True).select_option(label="Stalled")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert parse_qs(urlparse(page.url).query)["state"] == ["stalled"]
    shown = page.locator("ul.rows > li").all_inner_texts()
    assert shown and all("Stalled" in row for row in shown)

    page.goto(reverse("pages:home"))
    with page.expect_navigation():
        page.get_by_role("link", name="The chair's report of the 5th JHOPS").click()
    assert urlparse(page.url).path == reverse("pages:meeting", args=[jhops["koror"].pk])
    assert urlparse(page.url).fragment == "report"
    assert page.get_by_role("button", name="Make the report").is_visible()


def plant_outcomes(count: int) -> None:
    """`count` public outcomes of a recorded-later JHoPS meeting, with texts of the length
    the Koror communiqué has."""
    meeting = Meeting.objects.get(forum__acronym=FORUM_ACRONYM, sequence=6)
    document = OutcomeDocument.objects.create(
        meeting=meeting,
        kind=OutcomeDocument.Kind.OUTCOME_STATEMENT,
        title="Planted outcome statement",
        code=f"{FORUM_ACRONYM}/6",
        tlp=TLP.CLEAR,
    )
    text = "Members agreed to strengthen cooperation between their agencies. " * 6
    Outcome.objects.bulk_create(
        Outcome(
            document=document,
            number=str(n),
            position=n,
            text=text,
            kind=Outcome.Kind.AGREEMENT,
            tlp=TLP.CLEAR,
            citation_code=f"{document.code}/{n}",
        )
        for n in range(1, count + 1)
    )


def test_the_state_of_implementation_of_500_outcomes_stays_under_100_kb(phone, live_server, jhops):
    plant_outcomes(500)
    page = phone().new_page()
    sign_in(page, live_server, "chair", DEMO_PASSWORD)
    path = reverse("pages:forum-implementation", args=[FORUM_ACRONYM])
    weight = page_weight(page, path)
    print(f"\nPAGE-WEIGHT implementation-500 {weight.total} B without static\n{weight}")

    assert page.get_by_role("heading", name="512 outcomes").is_visible()
    assert weight.total < PAGE_BUDGET_BYTES, str(weight)
    axe_check(page)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, f"{path} scrolls sideways: {scroll_width} px wide"
    assert page.get_by_role("link", name="Older").is_visible()
    screenshot(page, "implementation-500-outcomes-360px")
