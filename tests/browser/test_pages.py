"""The pages as a working-group member and a chair use them, on a 360 px phone.

Sign in on the real form, post an update on a task (with the keyboard and the fields'
labels only), lose a race with a colleague without losing the note, do all of it with
JavaScript off, and download the chair's report. Data: the real JHoPS record
(tests/browser/conftest.py `jhops`); the demo logins' password is DEMO_PASSWORD.
"""

import csv
import io
import re

from django.contrib.auth import get_user_model
from django.urls import reverse
from pypdf import PdfReader

from fixtures.jhops import DEMO_PASSWORD
from tests.browser.conftest import axe_check, screenshot, sign_in
from workinggroups.models import Task, TaskUpdate

User = get_user_model()


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.innerText || document.activeElement.value")


def submit_with_the_keyboard(page, from_label: str) -> None:
    """From the last field, Tab to the form's button and press Enter, as a keyboard user does."""
    page.get_by_label(from_label, exact=True).focus()
    page.keyboard.press("Tab")
    assert focused_text(page) == "Post update"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def history(page) -> list[str]:
    """The task's history, newest first, one string per update."""
    return [" ".join(text.split()) for text in page.locator("ol.history > li").all_inner_texts()]


def test_a_member_signs_in_on_a_phone_and_posts_an_update_that_tops_the_history(
    phone, live_server, jhops
):
    task = jhops["task"]
    member = User.objects.get(username="wg-member")
    page = phone().new_page()

    # The real sign-in form, filled in by its labels and sent with Enter.
    page.goto(reverse("login"))
    page.get_by_label("Username", exact=True).fill("wg-member")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password", exact=True).press("Enter")

    assert page.url == f"{live_server.url}{reverse('pages:home')}"
    assert page.get_by_role("heading", name="Your forums", level=1).is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="My work", exact=True).first.press("Enter")
    assert page.get_by_role("heading", name="My work", level=1).is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=task.title).press("Enter")
    assert page.get_by_role("heading", name=task.title, level=1).is_visible()
    screenshot(page, "task-before-update-360px")

    page.get_by_label("Status", exact=True).select_option(label="In progress")
    page.get_by_label("Progress (%)", exact=True).fill("25")
    page.get_by_label("What changed", exact=True).fill("Draft terms of reference circulated.")
    submit_with_the_keyboard(page, "What changed")

    assert page.get_by_role("status").inner_text() == "Your update is posted."
    newest = history(page)[0]
    assert member.get_full_name() in newest
    assert "Not started → In progress" in newest
    assert "25%" in newest
    assert "Draft terms of reference circulated." in newest
    axe_check(page)  # with the confirmation shown
    screenshot(page, "task-after-update-360px")

    update = TaskUpdate.objects.filter(task=task).latest("created_at", "pk")
    assert update.author == member
    assert (update.status_from, update.status_to) == (Task.Status.NOT_STARTED, "in_progress")
    assert update.progress == 25
    assert update.note == "Draft terms of reference circulated."
    task.refresh_from_db()
    assert (task.status, task.progress) == (Task.Status.IN_PROGRESS, 25)


def test_a_stale_form_shows_who_moved_the_task_first_and_keeps_the_note(phone, live_server, jhops):
    task = jhops["task"]
    lead, member = User.objects.get(username="wg-lead"), User.objects.get(username="wg-member")
    # Two people, two phones, two sessions, the same task open in both.
    lead_page, member_page = phone().new_page(), phone().new_page()
    sign_in(lead_page, live_server, "wg-lead", DEMO_PASSWORD)
    sign_in(member_page, live_server, "wg-member", DEMO_PASSWORD)
    task_path = reverse("pages:task", args=[task.pk])
    lead_page.goto(task_path)
    member_page.goto(task_path)

    member_note = "Cook Islands comments on the draft sent to the lead."
    member_page.get_by_label("Status", exact=True).select_option(label="In progress")
    member_page.get_by_label("Progress (%)", exact=True).fill("30")
    member_page.get_by_label("What changed", exact=True).fill(member_note)

    # The lead posts first.
    lead_page.get_by_label("Status", exact=True).select_option(label="In progress")
    lead_page.get_by_label("Progress (%)", exact=True).fill("10")
    lead_page.get_by_label("What changed", exact=True).fill("First draft of the ToR shared.")
    submit_with_the_keyboard(lead_page, "What changed")
    assert lead_page.get_by_role("status").inner_text() == "Your update is posted."
    task.refresh_from_db()
    after_the_lead = (task.version, task.status, task.progress, TaskUpdate.objects.count())

    # The member posts from the form opened before the lead's update.
    with member_page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit_with_the_keyboard(member_page, "What changed")
    assert answer.value.status == 409

    alert = member_page.get_by_role("alert")
    assert "Someone else updated this task" in alert.inner_text()
    assert lead.get_full_name() in alert.inner_text()  # who got there first
    assert "In progress" in alert.inner_text()  # and what they did
    assert member_page.get_by_label("What changed", exact=True).input_value() == member_note
    assert "First draft of the ToR shared." in history(member_page)[0]  # the task as it is now
    axe_check(member_page)
    screenshot(member_page, "task-conflict-360px")
    task.refresh_from_db()
    assert (task.version, task.status, task.progress, TaskUpdate.objects.count()) == after_the_lead
    assert not TaskUpdate.objects.filter(task=task, author=member).exists()

    # Having read it, the member posts again: the kept form is against the new version.
    submit_with_the_keyboard(member_page, "What changed")
    assert member_page.get_by_role("status").inner_text() == "Your update is posted."
    newest = history(member_page)[0]
    assert member.get_full_name() in newest and member_note in newest and "30%" in newest
    mine = TaskUpdate.objects.get(task=task, author=member)
    assert (mine.status_from, mine.status_to) == (Task.Status.IN_PROGRESS, Task.Status.IN_PROGRESS)
    assert (mine.progress, mine.note) == (30, member_note)


def test_a_member_signs_in_and_posts_an_update_without_javascript(phone, live_server, jhops):
    task = jhops["task"]
    page = phone(javascript=False).new_page()

    sign_in(page, live_server, "wg-member", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="My work", exact=True).first.click()
    assert page.get_by_role("heading", name="My work", level=1).is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=task.title).click()

    page.get_by_label("Status", exact=True).select_option(label="In progress")
    page.get_by_label("Progress (%)", exact=True).fill("40")
    page.get_by_label("What changed", exact=True).fill("Posted from a phone with scripts off.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post update").click()

    assert page.get_by_role("status").inner_text() == "Your update is posted."
    assert "Posted from a phone with scripts off." in history(page)[0]
    axe_check(page)
    screenshot(page, "task-without-javascript-360px")
    update = TaskUpdate.objects.get(task=task)
    assert update.author.username == "wg-member"
    assert (update.status_to, update.progress) == (Task.Status.IN_PROGRESS, 40)

    # Signing out is a form too.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    page.goto(reverse("pages:my-work"))
    assert page.url.startswith(f"{live_server.url}{reverse('login')}")


def test_a_refused_update_on_a_phone_opens_at_the_error_summary(phone, live_server, jhops):
    """The page reloads after a refused post; without a script it still lands, focused, on
    the summary at the top of the form, far below the top of a 360 px page."""
    task = jhops["task"]
    page = phone(javascript=False).new_page()
    sign_in(page, live_server, "wg-member", DEMO_PASSWORD)
    page.goto(reverse("pages:task", args=[task.pk]))

    page.get_by_label("Status", exact=True).select_option(label="Withdrawn")
    page.get_by_label("What changed", exact=True).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Post update").click()

    summary = page.locator(".error-summary")
    assert summary.evaluate("element => element === document.activeElement")
    assert page.evaluate("window.scrollY") > 0
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#id_note")
    axe_check(page)
    screenshot(page, "task-refused-update-360px")


def test_the_chair_downloads_the_report_as_a_pdf_from_the_meeting_page(phone, live_server, jhops):
    koror = jhops["koror"]
    page = phone().new_page()
    sign_in(page, live_server, "chair", DEMO_PASSWORD)
    page.goto(reverse("pages:meeting", args=[koror.pk]))

    page.get_by_label("PDF", exact=True).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the report").click()

    assert download.value.suggested_filename.endswith(".pdf")
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert str(koror) in text, text[:500]


def test_a_csv_import_is_previewed_then_applied_on_a_phone(phone, live_server, jhops):
    group, task = jhops["group"], jhops["task"]
    page = phone().new_page()
    sign_in(page, live_server, "wg-member", DEMO_PASSWORD)
    exported = page.request.get(reverse("pages:working-group-csv", args=[group.pk])).text()
    rows = list(csv.DictReader(io.StringIO(exported)))
    for row in rows:
        if row["task_id"] == str(task.pk):
            row.update(status="in_progress", progress="20", note="Updated in the spreadsheet.")
    edited = io.StringIO()
    writer = csv.DictWriter(edited, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    page.goto(reverse("pages:working-group-import", args=[group.pk]))
    page.get_by_label("Or paste the rows", exact=True).fill(edited.getvalue())
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()

    # The preview's table is wider than a phone: it scrolls on its own, the page does not,
    # and the keyboard can reach it to scroll it.
    preview = page.get_by_role("region", name="1 update to post")
    assert "Not started → In progress" in preview.inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert preview.get_attribute("tabindex") == "0"
    axe_check(page)
    screenshot(page, "csv-import-preview-360px")
    assert not TaskUpdate.objects.filter(task=task).exists()  # a preview writes nothing

    with page.expect_navigation():
        page.get_by_role("button", name="Apply these updates").click()
    assert page.get_by_role("status").inner_text() == "1 update imported."
    update = TaskUpdate.objects.get(task=task)
    assert (update.author.username, update.status_to, update.progress) == (
        "wg-member",
        Task.Status.IN_PROGRESS,
        20,
    )
