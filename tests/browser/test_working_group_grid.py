"""A working group set up after a meeting, in the admin, by keyboard (issue 23): members
ticked from the forum's member states' people, tasks typed into the grid cell by cell."""

import datetime
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from fixtures.jhops import DEMO_PASSWORD, FORUM_ACRONYM
from forums.models import Meeting
from tests.browser.conftest import csp_violations, screenshot, sign_in
from workinggroups.models import Task, WorkingGroup

DESK = {"width": 1280, "height": 900}
# The demo's administrator: the Secretariat group's permissions come from a data migration,
# which the flush after an earlier browser test takes away from the "secretariat" login.
OFFICER = "admin"


@pytest.fixture
def desk(browser, live_server) -> Iterator[BrowserContext]:
    """The secretariat's screen, 1280 px wide, held to the Content Security Policy."""
    refused: list[str] = []
    context = browser.new_context(viewport=DESK, base_url=live_server.url)
    context.on("console", lambda message: refused.extend(csp_violations([message])))
    yield context
    context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


def focused_name(page: Page) -> str:
    # A named field, or what else holds the focus (a link), to say so when it fails.
    return page.evaluate("document.activeElement.name || document.activeElement.outerHTML")


def test_a_new_group_is_set_up_by_keyboard_with_its_members_and_tasks(desk, live_server, jhops):
    koror = jhops["koror"]
    eighth = Meeting.objects.create(
        forum=koror.forum,
        sequence=koror.forum.meetings.order_by("-sequence").first().sequence + 1,
        start_date=datetime.date(2027, 9, 14),
        end_date=datetime.date(2027, 9, 15),
        venue="Nuku'alofa",
        country="TO",
    )
    held = eighth.forum.meetings.get(sequence=eighth.sequence - 1)
    page = desk.new_page()
    sign_in(page, live_server, OFFICER, DEMO_PASSWORD, path="/admin/login/")

    page.goto(reverse("admin:workinggroups_workinggroup_add") + f"?established_by={held.pk}")
    page.locator("#id_name").fill("Regional treaty working group")
    page.locator("#id_mandate").fill("Progress the treaty framework for the next Meeting.")
    lead = page.locator("select[name='tasks-0-lead'] option", has_text="Working-group lead")
    assert lead.is_disabled()  # offered, but not a member until ticked
    page.get_by_label("Working-group lead, Palau (Palau)").check()
    assert lead.is_enabled()
    page.get_by_label("Working-group member, Cook Islands (Cook Islands)").check()
    grid = page.locator("fieldset.task-grid")
    assert grid.locator("input[name$='-due_on']").first.input_value() == "2027-09-14"

    # Row 1: title, Tab, due (kept), Tab, lead chosen by typing, Tab to the next row.
    grid.locator("input[name='tasks-0-title']").click()
    page.keyboard.type("Draft the treaty outline")
    page.keyboard.press("Tab")
    assert focused_name(page) == "tasks-0-due_on"
    page.keyboard.press("Tab")
    assert focused_name(page) == "tasks-0-lead"
    page.keyboard.type("Working-group l")
    page.keyboard.press("Tab")
    assert focused_name(page) == "tasks-1-title"
    # Row 2: a due date of its own.
    page.keyboard.type("Consult the members")
    page.keyboard.press("Tab")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("2027-06-30")
    page.keyboard.press("Tab")
    page.keyboard.type("Working-group m")
    screenshot(page, "working-group-grid-filled-1280")
    page.screenshot(path="/tmp/shots-groupgrid/add-filled-1280.png", full_page=True)
    with page.expect_navigation():
        page.locator("input[name='_continue']").click()

    assert page.locator(".messagelist .success").count() == 1
    group = WorkingGroup.objects.get(name="Regional treaty working group")
    assert group.reports_to == eighth
    assert {m.person.username for m in group.memberships.all()} == {"wg-lead", "wg-member"}
    tasks = {t.title: (t.lead.username, t.due_on) for t in group.tasks.select_related("lead")}
    assert tasks == {
        "Draft the treaty outline": ("wg-lead", datetime.date(2027, 9, 14)),
        "Consult the members": ("wg-member", datetime.date(2027, 6, 30)),
    }
    assert {h.history_user.username for h in Task.history.filter(working_group_id=group.pk)} == {
        OFFICER
    }
    # The page it returns to: the grid with the tasks, the members now the group's.
    page.screenshot(path="/tmp/shots-groupgrid/change-1280.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path="/tmp/shots-groupgrid/change-360.png", full_page=True)
    assert FORUM_ACRONYM in group.established_by.forum.acronym


def test_a_lead_unticked_after_being_chosen_is_refused_on_its_row(desk, live_server, jhops):
    koror = jhops["koror"]
    page = desk.new_page()
    sign_in(page, live_server, OFFICER, DEMO_PASSWORD, path="/admin/login/")
    page.goto(reverse("admin:workinggroups_workinggroup_add") + f"?established_by={koror.pk}")
    page.locator("#id_name").fill("Border data working group")
    page.locator("#id_mandate").fill("Report on shared border data.")
    name = "Working-group member, Cook Islands (Cook Islands)"
    page.get_by_label(name).check()
    page.locator("input[name='tasks-0-title']").fill("Compare watch lists")
    page.locator("select[name='tasks-0-lead']").select_option(label=name)
    page.get_by_label(name).uncheck()  # the choice stays, to be refused with its reason
    with page.expect_navigation():
        page.locator("input[name='_save']").click()

    row = page.locator("fieldset.task-grid tr.form-row").first
    assert "The lead must be a current member of the working group." in row.inner_text()
    assert page.locator("input[name='tasks-0-title']").input_value() == "Compare watch lists"
    assert not WorkingGroup.objects.filter(name="Border data working group").exists()
    assert not Task.objects.filter(title="Compare watch lists").exists()
    page.screenshot(path="/tmp/shots-groupgrid/refused-row-1280.png", full_page=True)
