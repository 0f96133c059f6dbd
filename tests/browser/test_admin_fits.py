"""Every admin page fits a 1280 px screen: no list, add form or change form of any model
scrolls sideways, on the demo record (the JHoPS record and the demo activity).

Opened as the demo administrator (a superuser, who sees every page and every field), each
page is measured as the browser lays it out; long texts wrap or are cut with the full text
on hover, and filters list only the values in use (the meetings list once had a country
filter some 6,000 px tall). Every page is photographed into test-artifacts/admin-1280/.
"""

from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import Page

from fixtures.jhops import DEMO_PASSWORD
from forums.models import Meeting
from tests.browser.conftest import ARTIFACTS, csp_violations, sign_in

WIDTH, HEIGHT = 1280, 800
# The most a list's filters may add to the page: a filter of 250 countries is 6,000 px.
FILTERS_TALLEST_PX = 1600


def admin_pages(superuser) -> Iterator[tuple[str, str]]:
    """(name, path) of every registered model's list, add form and first change form."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower
    ):
        opts = model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        yield f"{name}-list", reverse(f"admin:{name}_changelist")
        if model_admin.has_add_permission(request):  # not the records services write
            yield f"{name}-add", reverse(f"admin:{name}_add")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield f"{name}-change", reverse(f"admin:{name}_change", args=[first.pk])


MEASURE = """() => {
    const edge = document.documentElement.clientWidth;
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className.trim()
            ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    // Boxes that scroll their own content sideways (a list's table, an inline's).
    const scrolling = [...document.querySelectorAll('body *')].filter(el =>
        ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) &&
        !['TEXTAREA', 'SELECT', 'INPUT', 'PRE'].includes(el.tagName) &&
        el.scrollWidth > el.clientWidth + 1);
    return {
        inner: scrolling.map(el => `${name(el)} (${el.scrollWidth} px in ${el.clientWidth} px)`),
        scroll: document.documentElement.scrollWidth,
        client: edge,
        filters: (document.querySelector('#changelist-filter') || {}).scrollHeight || 0,
        widest: [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > edge + 1)
            .slice(-4)
            .map(el => `${name(el)} (${Math.round(el.getBoundingClientRect().right)} px)`),
    };
}"""


def measure(page: Page) -> dict:
    """The page's width and the viewport's, its filters' height, and the first elements
    that reach past the viewport's right edge (to say what to fix)."""
    return page.evaluate(MEASURE)


def test_no_admin_page_scrolls_sideways_at_1280px(browser, live_server, jhops):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, base_url=live_server.url
    )
    refused: list[str] = []
    context.on("console", lambda message: refused.extend(csp_violations([message])))
    page = context.new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    superuser = get_user_model().objects.get(username="admin")
    (ARTIFACTS / "admin-1280").mkdir(parents=True, exist_ok=True)

    too_wide, too_tall, opened = [], [], 0
    for name, path in admin_pages(superuser):
        response = page.goto(path)
        assert response is not None
        if response.status == 403:  # an add form the admin refuses (service-made records)
            continue
        assert response.status == 200, f"{path}: {response.status}"
        opened += 1
        sizes = measure(page)
        if sizes["scroll"] > sizes["client"]:
            too_wide.append(
                f"{path}: {sizes['scroll']} px wide for {sizes['client']} px; "
                f"past the edge: {', '.join(sizes['widest'])}"
            )
        if sizes["inner"]:
            too_wide.append(f"{path}: scrolls inside: {', '.join(sizes['inner'])}")
        if sizes["filters"] > FILTERS_TALLEST_PX:
            too_tall.append(f"{path}: filters {sizes['filters']} px tall")
        page.screenshot(path=ARTIFACTS / "admin-1280" / f"{name}.png", full_page=True)
    context.close()

    assert opened > 40  # every model's pages, not a sign-in page
    assert not too_wide, "pages that scroll sideways at 1280 px:\n" + "\n".join(too_wide)
    assert not too_tall, "filters longer than the page needs:\n" + "\n".join(too_tall)
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


@pytest.mark.parametrize("width", [1280, 360])
def test_the_meetings_list_fits_and_filters_by_the_countries_in_use(
    browser, live_server, jhops, width
):
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHT}, base_url=live_server.url
    )
    page = context.new_page()
    sign_in(page, live_server, "admin", DEMO_PASSWORD, path="/admin/login/")
    page.goto(reverse("admin:forums_meeting_changelist"))

    countries = page.locator("#changelist-filter details").filter(has_text="By country")
    held_in = sorted({str(meeting.country.name) for meeting in Meeting.objects.all()})
    assert "Palau" in held_in and len(held_in) < 10  # the demo's, not the world's
    assert countries.locator("li a").all_inner_texts() == ["All", *held_in]
    if width == WIDTH:
        sizes = measure(page)
        assert sizes["scroll"] <= sizes["client"], sizes["widest"]
        assert sizes["filters"] < FILTERS_TALLEST_PX
    page.screenshot(path=ARTIFACTS / f"admin-meetings-{width}px.png", full_page=True)
    context.close()
