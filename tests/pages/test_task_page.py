"""A task's page: its outcomes and history within clearance, and the form that posts an update."""

import re

import pytest
from django.test import Client

from forums.tlp import TLP
from tests.pages.conftest import client_for
from workinggroups.models import Task, TaskUpdate
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db

S = Task.Status


def url(task: Task) -> str:
    return f"/tasks/{task.pk}/"


def snapshot() -> dict:
    """Everything posting an update could write: equal before and after = nothing written."""
    return {
        "updates": TaskUpdate.objects.count(),
        "history": Task.history.count(),
        "tasks": list(
            Task.objects.order_by("pk").values_list("pk", "version", "status", "progress")
        ),
    }


def post_update(client, task: Task, **fields):
    data = {
        "status": task.status,
        "progress": task.progress,
        "note": "",
        "expected_version": task.version,
    }
    data.update(fields)
    return client.post(url(task), data)


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return found.group(1).strip()


def hidden_value(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name}"
    return found.group(1)


# --- reading ------------------------------------------------------------------------------------


def test_task_page_lists_its_outcomes_by_citation_code_within_clearance(team):
    treaty = team["treaty"]
    as_member = client_for(team["member"]).get(url(treaty))
    assert as_member.status_code == 200
    html = as_member.content.decode()
    assert '<a href="/outcomes/HOS/4/15/">HOS/4/15</a>' in html
    assert '<a href="/outcomes/HOS/4/16/">HOS/4/16</a>' in html  # AMBER: the group reads it
    assert "HOS/4/17" not in html  # RED, and the member is not named

    as_delegate = client_for(team["delegate"]).get(url(treaty)).content.decode()
    assert "HOS/4/15" in as_delegate
    assert "HOS/4/16" not in as_delegate and "threat assessment" not in as_delegate

    team["red_outcome"].recipients.add(team["member"])
    assert "HOS/4/17" in client_for(team["member"]).get(url(treaty)).content.decode()


def test_history_is_newest_first_and_hides_updates_beyond_clearance(team):
    treaty, lead = team["treaty"], team["lead"]
    task_update_status(actor=lead, task=treaty, status=S.IN_PROGRESS, note="First: kick-off held.")
    task_update_status(actor=lead, task=treaty, progress=40, note="Second: draft circulated.")
    task_update_status(
        actor=lead, task=treaty, progress=50, note="Third: sources named.", tlp=TLP.AMBER
    )

    html = client_for(team["member"]).get(url(treaty)).content.decode()
    first, second, third = (html.index(n) for n in ("First:", "Second:", "Third:"))
    assert third < second < first

    as_delegate = client_for(team["delegate"]).get(url(treaty)).content.decode()
    assert "Second: draft circulated." in as_delegate
    assert "Third: sources named." not in as_delegate


# --- posting an update -------------------------------------------------------------------------


def test_member_posts_an_update_that_moves_the_status_and_appears_in_history(team):
    treaty, member = team["treaty"], team["member"]
    client = client_for(member)
    page = client.get(url(treaty)).content.decode()
    assert hidden_value(page, "expected_version") == "1"

    response = post_update(
        client, treaty, status=S.IN_PROGRESS, progress=20, note="Terms of reference drafted."
    )
    assert response.status_code == 302
    assert response["Location"] == url(treaty)

    treaty.refresh_from_db()
    assert (treaty.status, treaty.progress, treaty.version) == (S.IN_PROGRESS, 20, 2)
    update = TaskUpdate.objects.get(task=treaty)
    assert (update.author, update.status_from, update.status_to, update.note) == (
        member,
        S.NOT_STARTED,
        S.IN_PROGRESS,
        "Terms of reference drafted.",
    )
    assert treaty.history.latest().history_user == member

    html = client.get(url(treaty)).content.decode()
    assert "Your update is posted." in html
    history = html[html.index("History") :]
    assert "Terms of reference drafted." in history
    assert "Not started → In progress" in history
    assert hidden_value(html, "expected_version") == "2"


def test_member_sees_conflict_message_when_task_moved_first(team):
    treaty, member, lead = team["treaty"], team["member"], team["lead"]
    client = client_for(member)
    client.get(url(treaty))  # the member opens the form at version 1 ...
    # ... and meanwhile the lead moves the task.
    task_update_status(actor=lead, task=treaty, status=S.IN_PROGRESS, note="Lead started it.")
    before = snapshot()

    response = post_update(
        client,
        treaty,
        status=S.IN_PROGRESS,
        progress=30,
        note="My long note from the field.",
        expected_version=1,
    )
    assert response.status_code == 409
    assert snapshot() == before
    html = response.content.decode()
    assert "Someone else updated this task while you were writing." in html
    assert "Tavita set it to “In progress”" in html
    assert textarea(html, "note") == "My long note from the field."
    # The form now carries the version the task is at, so posting again goes through.
    assert hidden_value(html, "expected_version") == "2"

    again = post_update(
        client,
        treaty,
        status=S.IN_PROGRESS,
        progress=30,
        note="My long note from the field.",
        expected_version=2,
    )
    assert again.status_code == 302
    treaty.refresh_from_db()
    assert (treaty.version, treaty.progress) == (3, 30)


def test_a_move_the_map_does_not_allow_is_a_form_error_and_writes_nothing(team):
    treaty = team["treaty"]
    before = snapshot()
    response = post_update(
        client_for(team["member"]), treaty, status=S.READY, progress=100, note="Done, surely."
    )
    assert response.status_code == 400
    assert response.context["form"].errors["status"]
    assert snapshot() == before
    # Only the moves allowed from "not started" are offered.
    offered = dict(response.context["form"].fields["status"].choices)
    assert set(offered) == {S.NOT_STARTED, S.IN_PROGRESS, S.WITHDRAWN}


def test_blocking_without_a_note_is_a_form_error_and_writes_nothing(team):
    treaty, member = team["treaty"], team["member"]
    task_update_status(actor=member, task=treaty, status=S.IN_PROGRESS, note="Started.")
    treaty.refresh_from_db()
    before = snapshot()

    response = post_update(client_for(member), treaty, status=S.BLOCKED, note="  ")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Say why the task is blocked." in errors["note"]
    assert "Say why the task is blocked." in response.content.decode()
    assert snapshot() == before


def test_an_update_that_changes_nothing_is_refused(team):
    before = snapshot()
    response = post_update(client_for(team["member"]), team["treaty"])
    assert response.status_code == 400
    assert response.context["form"].errors["note"]
    assert snapshot() == before


def test_progress_beyond_100_is_a_form_error(team):
    before = snapshot()
    response = post_update(
        client_for(team["member"]), team["treaty"], status=S.IN_PROGRESS, progress=140
    )
    assert response.status_code == 400
    assert response.context["form"].errors["progress"]
    assert snapshot() == before


@pytest.mark.parametrize("reader", ["delegate", "observer", "chair"])
def test_readers_outside_the_group_see_no_form_and_may_not_post(team, reader):
    treaty = team["treaty"]
    client = client_for(team[reader])
    page = client.get(url(treaty))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert b"Post an update" not in page.content
    assert b'name="expected_version"' not in page.content

    before = snapshot()
    response = post_update(client, treaty, status=S.IN_PROGRESS, progress=10, note="Not mine.")
    assert response.status_code == 403
    assert snapshot() == before


def test_anonymous_may_not_post_on_a_public_task(team):
    public = Task.objects.create(
        working_group=team["group"], title="Publish the treaty text", tlp=TLP.GREEN
    )
    team["group"].tlp = TLP.CLEAR
    team["group"].save()
    public.tlp = TLP.CLEAR
    public.save()
    client = client_for(None)
    assert client.get(url(public)).status_code == 200
    before = snapshot()
    response = post_update(client, public, status=S.IN_PROGRESS, progress=10, note="Anyone?")
    assert response.status_code == 403
    assert snapshot() == before


def test_a_former_member_sees_no_form(team):
    seat = team["member"].wg_memberships.get()
    seat.left_on = seat.working_group.established_by.start_date
    seat.save()
    # Still a reader of the forum's TLP:GREEN work as a delegate of a member state ...
    team["forum"].memberships.create(member=team["member"].profile.member, role="member")
    page = client_for(team["member"]).get(url(team["treaty"]))
    assert page.status_code == 200
    assert page.context["form"] is None


def test_a_closed_task_takes_no_more_updates(team):
    treaty, member = team["treaty"], team["member"]
    task_update_status(actor=member, task=treaty, status=S.WITHDRAWN, note="Overtaken.")
    client = client_for(member)
    assert client.get(url(treaty)).context["form"] is None
    treaty.refresh_from_db()
    before = snapshot()
    assert post_update(client, treaty, note="One more thing.").status_code == 403
    assert snapshot() == before


# --- what may not be seen ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_invisible_task_is_not_found_never_forbidden(team, method):
    amber, other = team["amber_task"], team["other_task"]
    cases = [
        (team["stranger"], team["treaty"]),  # no standing in the forum: GREEN is closed
        (None, team["treaty"]),  # anonymous
        (team["delegate"], amber),  # GREEN reader, AMBER task of a group they are not on
        (team["member"], team["red_task"]),  # RED, not named
    ]
    for person, task in cases:
        client = client_for(person)
        response = getattr(client, method)(url(task), {"note": "x"} if method == "post" else None)
        assert response.status_code == 404, (person, task)
        assert task.title.encode() not in response.content
    assert client_for(team["member"]).get(url(other)).status_code == 200  # GREEN, same forum
    assert client_for(team["member"]).get("/tasks/999999/").status_code == 404


def test_a_red_task_opens_only_for_its_named_recipients(team):
    red = team["red_task"]
    lead_page = client_for(team["lead"]).get(url(red))
    assert lead_page.status_code == 200
    assert b"Name the undercover officers" in lead_page.content
    assert lead_page.context["form"] is not None  # named, and on the group

    for reader in ("member", "delegate", "chair", "observer"):
        assert client_for(team[reader]).get(url(red)).status_code == 404, reader

    red.recipients.add(team["member"])
    assert client_for(team["member"]).get(url(red)).status_code == 200
    # The secretariat reads everything.
    assert client_for(team["officer"]).get(url(red)).status_code == 200


def test_posting_an_update_needs_the_forms_csrf_token(team):
    treaty = team["treaty"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(team["member"])
    html = client.get(url(treaty)).content.decode()
    form = html[html.index('<h2 id="post-update">') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = {"status": S.IN_PROGRESS, "progress": 10, "note": "Begun.", "expected_version": 1}

    before = snapshot()
    assert client.post(url(treaty), data).status_code == 403
    assert snapshot() == before
    assert client.post(url(treaty), {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert TaskUpdate.objects.get().note == "Begun."


def test_a_service_refusal_lands_on_the_field_it_concerns(team):
    treaty, member = team["treaty"], team["member"]
    task_update_status(actor=member, task=treaty, status=S.IN_PROGRESS, note="Started.")
    treaty.refresh_from_db()
    before = snapshot()
    response = post_update(client_for(member), treaty, status=S.READY, progress=60, note="Nearly.")
    assert response.status_code == 400
    assert response.context["form"].errors["progress"] == [
        "Work that is ready for ratification is complete: leave progress at 100."
    ]
    assert snapshot() == before
