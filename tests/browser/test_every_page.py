"""Every page of the site on a 360 px phone: light, accessible, no sideways scrolling.

The issue's budget: under 100 KB transferred on a first load, static files aside (they are
cached after the first page). Each page is opened as the person who would open it, on the
real JHoPS record (tests/browser/conftest.py `jhops`), checked with axe-core (WCAG 2.1 A
and AA) and photographed into test-artifacts/.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from fixtures.jhops import DEMO_PASSWORD, FORUM_ACRONYM
from tests.browser.conftest import axe_check, page_weight, screenshot, sign_in

PAGE_BUDGET_BYTES = 100 * 1024
PHONE_WIDTH = 360


@dataclass(frozen=True)
class Visit:
    who: str | None  # demo login that opens the page; None: nobody signed in
    path: str
    shows: tuple[str, str]  # (role, name) of something only this page has


def visits(jhops) -> dict[str, Visit]:
    task, group, koror = jhops["task"], jhops["group"], jhops["koror"]
    return {
        "home": Visit(None, reverse("pages:home"), ("heading", "Forums")),
        "home-signed-in": Visit("chair", reverse("pages:home"), ("heading", "Your forums")),
        "implementation": Visit(
            "chair",
            reverse("pages:forum-implementation", args=[FORUM_ACRONYM]),
            ("button", "Show"),
        ),
        "forum": Visit(None, reverse("pages:forum", args=[FORUM_ACRONYM]), ("heading", "Meetings")),
        "login": Visit(None, reverse("login"), ("button", "Sign in")),
        "password-reset": Visit(None, reverse("password_reset"), ("button", "Send the link")),
        "my-work": Visit("wg-member", reverse("pages:my-work"), ("heading", "My work")),
        "task": Visit(
            "wg-member", reverse("pages:task", args=[task.pk]), ("button", "Post update")
        ),
        "working-group": Visit(
            "wg-member", reverse("pages:working-group", args=[group.pk]), ("heading", "Mandate")
        ),
        "csv-import": Visit(
            "wg-member",
            reverse("pages:working-group-import", args=[group.pk]),
            ("button", "Preview"),
        ),
        "meeting": Visit(
            "chair", reverse("pages:meeting", args=[koror.pk]), ("button", "Make the report")
        ),
        "meeting-summary": Visit(
            "chair",
            reverse("pages:meeting-summary", args=[koror.pk]),
            ("button", "Save the summary"),
        ),
        "outcome": Visit(
            "wg-member", reverse("pages:outcome", args=["JHOPS/4/16"]), ("heading", "Lineage")
        ),
        "settings": Visit("wg-member", reverse("pages:settings"), ("heading", "Calendar")),
    }


PAGES = [
    "home",
    "home-signed-in",
    "implementation",
    "forum",
    "login",
    "password-reset",
    "my-work",
    "task",
    "working-group",
    "csv-import",
    "meeting",
    "meeting-summary",
    "outcome",
    "settings",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_light_accessible_and_fits_a_360px_phone(phone, live_server, jhops, name):
    visit = visits(jhops)[name]
    page = phone().new_page()
    if visit.who:
        sign_in(page, live_server, visit.who, DEMO_PASSWORD)

    url = f"{live_server.url}{visit.path}"
    with page.expect_response(url) as response:
        weight = page_weight(page, visit.path)
    print(
        f"\nPAGE-WEIGHT {name:15} {weight.total:7} B without static "
        f"(document {weight.document_bytes} B, other {weight.other_bytes} B); "
        f"static {weight.static_bytes} B\n{weight}"
    )

    assert response.value.status == 200, f"{visit.path}: {response.value.status}"
    assert page.url == url  # not sent elsewhere (a sign-in page, a redirect)
    role, label = visit.shows
    assert page.get_by_role(role, name=label, exact=True).first.is_visible()
    assert weight.document_bytes > 0
    assert weight.total < PAGE_BUDGET_BYTES, str(weight)
    axe_check(page)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, f"{visit.path} scrolls sideways: {scroll_width} px wide"
    screenshot(page, f"{name}-360px")


def test_the_keyboard_reaches_the_skip_link_then_the_menu_with_a_visible_focus(
    phone, live_server, jhops
):
    page = phone().new_page()
    sign_in(page, live_server, "wg-member", DEMO_PASSWORD)
    page.goto(reverse("pages:my-work"))

    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement, style = getComputedStyle(el);
                    return {
                        text: el.innerText.trim(),
                        inNav: !!el.closest('nav'),
                        outline: style.outlineStyle,
                        outlineWidth: parseFloat(style.outlineWidth),
                    };
                }"""
            )
        )

    assert reached[0]["text"] == "Skip to content"
    # Then the site's name (a link home) and the menu, in reading order: the member's
    # forums (the demo puts them on a group of each) between Home and their own pages.
    assert [step["text"] for step in reached[1:]] == [
        "Talanoa",
        "Home",
        "DEMO",
        "JHOPS",
        "My work",
        "My settings",
        "Sign out",
    ]
    assert all(step["inNav"] for step in reached[2:])
    for step in reached:
        assert step["outline"] != "none" and step["outlineWidth"] > 0, step

    # The skip link takes the keyboard past the menu, to the page's own content.
    page.reload()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")
