"""After the meeting: each meeting's checklist of what the secretariat records once it is
over, the admin index's panel that opens on it, and the import that asks before adding a
second document to a meeting (issue 23)."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from fixtures.jhops import KOROR_COMMUNIQUE_PATH, load_jhops
from forums.audit import save_validated
from forums.models import Chair, Hosting, Meeting, Member
from forums.services import hosting_change_status, hosting_record, meeting_create
from outcomes.importing.services import outcome_statement_import
from outcomes.importing.statement import parse_statement
from outcomes.models import Outcome, OutcomeDocument
from secretariat.checklist import DONE, PARTLY, TO_DO, held_meetings_to_follow, meeting_checklist
from tests.factories import UserFactory
from workinggroups.models import Task, WorkingGroup
from workinggroups.services import (
    Seat,
    task_add,
    working_group_add_member,
    working_group_establish,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:outcomes_outcomedocument_import")
KOROR = KOROR_COMMUNIQUE_PATH.read_text(encoding="utf-8")
EIGHTH = """Outcome Statement of the 8th JHoPS Meeting

1. Members met in Nuku'alofa.
2. Members agreed to establish a working group on maritime surveillance to:
(a) map the region's surveillance assets;
(b) report to the next Meeting.
3. Members thanked Tonga.
"""


@pytest.fixture
def secretariat(db):
    load_jhops()
    return get_user_model().objects.get(username="secretariat")


@pytest.fixture
def officer(client, secretariat):
    client.force_login(secretariat)
    return client


def meeting(sequence: int) -> Meeting:
    return Meeting.objects.select_related("forum").get(forum__acronym="JHOPS", sequence=sequence)


def states(checklist) -> list[str]:
    return [step.state for step in checklist.steps]


def checklist_url(of: Meeting) -> str:
    return reverse("admin:forums_meeting_after", args=[of.pk])


# --- the steps and their states -------------------------------------------------------------


def test_the_seventh_meeting_has_its_chairs_and_host_and_four_steps_open(secretariat):
    seventh = meeting(7)

    checklist = meeting_checklist(seventh, secretariat)

    assert states(checklist) == [DONE, TO_DO, TO_DO, TO_DO, TO_DO]
    assert checklist.open_count == 4
    chairs, documents, groups, next_meeting, hosting = checklist.steps
    assert "Royal Papua New Guinea Constabulary" in chairs.summary
    assert "host: Papua New Guinea (hosted)" in chairs.summary
    assert chairs.url == reverse("admin:forums_meeting_change", args=[seventh.pk])
    assert documents.url == f"{IMPORT_URL}?meeting={seventh.pk}"
    assert documents.action == "Import the outcome document"
    assert groups.url == (
        reverse("admin:workinggroups_workinggroup_add") + f"?established_by={seventh.pk}"
    )
    assert next_meeting.summary == "The 8th JHOPS is not recorded yet."
    assert next_meeting.url == (
        reverse("admin:forums_meeting_add") + f"?forum={seventh.forum_id}&sequence=8"
    )
    assert hosting.url == ""  # it waits on the next meeting


def test_the_fifth_meeting_has_every_step_done(secretariat):
    checklist = meeting_checklist(meeting(5), secretariat)

    assert states(checklist) == [DONE] * 5
    documents, groups = checklist.steps[1], checklist.steps[2]
    assert [line.text for line in documents.lines] == ["JHOPS/5 (10 outcomes)"]
    assert [line.text for line in groups.lines] == [
        "JHoPS Intersessional Working Group (set up at this meeting): 2 member(s), 4 task(s)"
    ]
    assert checklist.steps[3].summary == "6th JHOPS; planned host: Australia"


def test_each_step_done_through_its_service_is_shown_done(secretariat):
    seventh = meeting(7)

    document = outcome_statement_import(
        actor=secretariat, meeting=seventh, draft=parse_statement(EIGHTH), code="JHOPS/7"
    )
    assert states(meeting_checklist(seventh, secretariat))[1] == DONE

    group = working_group_establish(
        actor=secretariat,
        name="Maritime surveillance",
        established_by=seventh,
        establishing_outcome=document.outcomes.get(number="2"),
        mandate="Map the region's surveillance assets.",
    )
    step = meeting_checklist(seventh, secretariat).steps[2]
    assert step.state == PARTLY
    assert step.lines[0].lacks == "no members, no tasks"
    assert step.lines[0].url == reverse("admin:workinggroups_workinggroup_change", args=[group.pk])

    member = get_user_model().objects.get(username="wg-member")
    working_group_add_member(actor=secretariat, working_group=group, person=member)
    step = meeting_checklist(seventh, secretariat).steps[2]
    assert (step.state, step.lines[0].lacks) == (PARTLY, "no tasks")
    task_add(actor=secretariat, working_group=group, title="Map the assets")
    assert meeting_checklist(seventh, secretariat).steps[2].state == DONE

    eighth = meeting_create(actor=secretariat, forum=seventh.forum, sequence=8)
    next_step, hosting_step = meeting_checklist(seventh, secretariat).steps[3:]
    assert (next_step.state, hosting_step.state) == (PARTLY, TO_DO)
    assert next_step.url == reverse("admin:forums_meeting_change", args=[eighth.pk])
    assert hosting_step.url == reverse("admin:forums_meeting_change", args=[eighth.pk])

    tonga, _ = Member.objects.get_or_create(
        name="Tonga", defaults={"kind": Member.Kind.STATE, "country": "TO"}
    )
    hosting = hosting_record(
        actor=secretariat, meeting=eighth, member=tonga, status=Hosting.Status.PLANNED
    )
    next_step, hosting_step = meeting_checklist(seventh, secretariat).steps[3:]
    assert (next_step.state, hosting_step.state) == (DONE, TO_DO)
    assert hosting_step.summary == "Tonga: Planned"
    assert hosting_step.url == reverse("admin:forums_hosting_change", args=[hosting.pk])

    hosting_change_status(
        actor=secretariat, hosting=hosting, status=Hosting.Status.CONFIRMED, effective_on=None
    )
    checklist = meeting_checklist(seventh, secretariat)
    assert states(checklist) == [DONE] * 5
    assert checklist.open_count == 0


def test_a_new_meetings_chairs_and_host_step_follows_what_is_recorded(secretariat):
    eighth = meeting_create(actor=secretariat, forum=meeting(7).forum, sequence=8)
    assert meeting_checklist(eighth, secretariat).steps[0].state == TO_DO

    save_validated(Chair(meeting=eighth, member=Member.objects.get(name="Fiji")), actor=secretariat)
    step = meeting_checklist(eighth, secretariat).steps[0]
    assert (step.state, step.summary) == (PARTLY, "Fiji; no host recorded")

    hosting_record(
        actor=secretariat,
        meeting=eighth,
        member=Member.objects.get(name="Fiji"),
        status=Hosting.Status.CONFIRMED,
    )
    assert meeting_checklist(eighth, secretariat).steps[0].state == DONE


def test_the_checklist_reads_in_a_few_queries_however_large_the_meeting(
    secretariat, django_assert_max_num_queries
):
    seventh = meeting(7)
    people = [UserFactory.create() for _ in range(6)]
    for n in range(4):
        document = OutcomeDocument.objects.create(
            meeting=seventh, kind="communique", title=f"Document {n}", code=f"JHOPS/7-{n}"
        )
        for number in range(1, 6):
            Outcome.objects.create(
                document=document,
                number=str(number),
                position=number,
                text=".",
                citation_code=f"{document.code}/{number}",
            )
        group = working_group_establish(
            actor=secretariat,
            name=f"Group {n}",
            established_by=seventh,
            mandate=".",
            seats=[Seat(person) for person in people],
        )
        for number in range(3):
            Task.objects.create(working_group=group, title=f"Task {number}")
    seventh = meeting(7)

    with django_assert_max_num_queries(6):  # five reads, and who the reader is
        checklist = meeting_checklist(seventh, secretariat)
        [line.text for step in checklist.steps for line in step.lines]

    assert len(checklist.steps[1].lines) == 4 and len(checklist.steps[2].lines) == 4
    with django_assert_max_num_queries(7):  # and the held meetings
        held_meetings_to_follow(secretariat)


# --- the page ---------------------------------------------------------------------------------


def test_the_checklist_page_shows_each_step_and_its_button(officer):
    seventh = meeting(7)

    response = officer.get(checklist_url(seventh))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "<title>After the meeting: 7th JHOPS" in page
    assert "<h1>After the meeting: 7th JHOPS</h1>" in page
    assert "4 steps still open." in page
    assert f'href="{IMPORT_URL}?meeting={seventh.pk}"' in page
    assert "Record the 8th JHOPS" in page
    assert "<style" not in page and "style=" not in page  # the site's CSP refuses them


def test_a_checklist_with_every_step_done_says_so(officer):
    page = officer.get(checklist_url(meeting(5))).content.decode()
    assert "Every step is done." in page
    assert "steps still open" not in page


def test_the_checklist_is_the_secretariats_alone(client, secretariat):
    url = checklist_url(meeting(7))

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))

    client.force_login(UserFactory.create(username="staff-only", is_staff=True))
    assert client.get(url).status_code == 403

    client.force_login(get_user_model().objects.get(username="chair"))  # not staff
    assert client.get(url).status_code == 302

    client.force_login(secretariat)
    assert client.get(reverse("admin:forums_meeting_after", args=[99999])).status_code == 404


def test_the_meeting_page_and_list_link_to_the_checklist(officer):
    seventh = meeting(7)
    change = officer.get(reverse("admin:forums_meeting_change", args=[seventh.pk]))
    assert f'href="{checklist_url(seventh)}">After the meeting</a>' in change.content.decode()

    listed = officer.get(reverse("admin:forums_meeting_changelist")).content.decode()
    assert f'href="{checklist_url(seventh)}"' in listed


def test_the_admin_index_opens_on_the_meetings_to_follow(officer):
    page = html.unescape(officer.get(reverse("admin:index")).content.decode())

    panel = page[page.index('id="after-the-meeting-heading"') : page.index("app-forums")]
    assert f'href="{checklist_url(meeting(7))}">7th JHOPS</a>' in panel
    assert "4 steps open" in panel
    assert f'href="{checklist_url(meeting(5))}"' not in panel  # all done, and not the latest


def test_the_admin_index_has_no_panel_for_staff_who_do_not_record_meetings(client, secretariat):
    client.force_login(UserFactory.create(username="staff-only", is_staff=True))
    assert "after-the-meeting-heading" not in client.get(reverse("admin:index")).content.decode()


# --- the import, started from the checklist ---------------------------------------------------


def details(of: Meeting, **overrides) -> dict:
    return {
        "meeting": str(of.pk),
        "kind": OutcomeDocument.Kind.COMMUNIQUE,
        "title": "Action plan",
        "short_title": "",
        "code": f"JHOPS/{of.sequence}-AP",
        "adopted_on": "",
        "tlp": "0",
        "text": KOROR,
        **overrides,
    }


def test_the_import_started_for_a_meeting_has_it_chosen(officer):
    seventh = meeting(7)

    response = officer.get(f"{IMPORT_URL}?meeting={seventh.pk}")

    form = response.context["meta_form"]
    assert form["meeting"].value() == seventh.pk
    assert f'<option value="{seventh.pk}" selected>7th JHOPS</option>' in response.content.decode()
    assert "add_another" not in form.fields  # it has no document yet
    for odd in ("x", "²", "9" * 30, ""):
        response = officer.get(IMPORT_URL, {"meeting": odd})
        assert response.status_code == 200
        assert response.context["meta_form"]["meeting"].value() is None


def test_the_import_for_a_meeting_with_a_document_asks_first(officer):
    response = officer.get(f"{IMPORT_URL}?meeting={meeting(5).pk}")

    field = response.context["meta_form"].fields["add_another"]
    assert field.help_text == "This meeting already has JHOPS/5 (10 outcomes)."
    assert "Add another document to this meeting" in response.content.decode()


def test_a_second_document_without_the_tick_is_refused_and_nothing_is_read(officer):
    before = OutcomeDocument.objects.count(), Outcome.objects.count()

    refused = officer.post(IMPORT_URL, details(meeting(5)))

    assert refused.status_code == 200
    assert "draft_token" not in refused.context
    assert refused.context["meta_form"].errors["add_another"] == [
        "This meeting already has JHOPS/5 (10 outcomes). Tick “Add another document” to "
        "add a second one, or choose another meeting."
    ]
    assert (OutcomeDocument.objects.count(), Outcome.objects.count()) == before


def test_a_second_document_with_the_tick_is_added(officer):
    from tests.outcomes.test_import_admin import review_data

    reviewed = officer.post(IMPORT_URL, details(meeting(5), add_another="on"))
    assert "draft_token" in reviewed.context, reviewed.context["meta_form"].errors
    data = review_data(reviewed)
    assert data["add_another"] == "on"  # the answer travels with the review

    saved = officer.post(IMPORT_URL, data)

    assert saved.status_code == 302
    assert list(
        OutcomeDocument.objects.filter(meeting=meeting(5)).values_list("code", flat=True)
    ) == ["JHOPS/5", "JHOPS/5-AP"]


def test_unticking_at_the_review_saves_nothing(officer):
    from tests.outcomes.test_import_admin import review_data

    reviewed = officer.post(IMPORT_URL, details(meeting(5), add_another="on"))
    data = review_data(reviewed)
    del data["add_another"]
    before = OutcomeDocument.objects.count(), Outcome.objects.count()

    refused = officer.post(IMPORT_URL, data)

    assert refused.status_code == 200
    assert "add_another" in refused.context["meta_form"].errors
    assert (OutcomeDocument.objects.count(), Outcome.objects.count()) == before


def test_a_meeting_changed_on_the_page_to_one_with_a_document_is_asked_about(officer):
    # Opened for the 7th (no document), then the 5th picked in the form.
    refused = officer.post(f"{IMPORT_URL}?meeting={meeting(7).pk}", details(meeting(5)))
    assert "add_another" in refused.context["meta_form"].errors
    assert 'name="add_another"' in refused.content.decode()


def test_the_import_leads_back_to_the_checklist(officer):
    from tests.outcomes.test_import_admin import review_data

    seventh = meeting(7)
    reviewed = officer.post(IMPORT_URL, details(seventh, code="JHOPS/7"))
    saved = officer.post(IMPORT_URL, review_data(reviewed), follow=True)

    page = html.unescape(saved.content.decode())
    assert f'<a href="{checklist_url(seventh)}">Back to “After the meeting: 7th JHOPS”</a>' in page
    # Paragraph 6 establishes a group: set up with the statement, shown on the checklist.
    assert WorkingGroup.objects.filter(established_by=seventh).count() == 1


def test_an_import_opened_from_the_checklist_returns_to_it(officer):
    from tests.outcomes.test_import_admin import review_data

    seventh = meeting(7)
    opened = f"{IMPORT_URL}?meeting={seventh.pk}"
    reviewed = officer.post(opened, details(seventh, code="JHOPS/7"))
    saved = officer.post(opened, review_data(reviewed))

    assert saved.status_code == 302
    assert saved["Location"] == checklist_url(seventh)


def test_a_meeting_recorded_goes_on_to_its_own_checklist(officer):
    seventh = meeting(7)
    form = {
        "forum": seventh.forum_id,
        "sequence": "8",
        "country": "TO",
        **{
            f"{prefix}-{key}": value
            for prefix in ("chairs", "hostings", "attendances", "documents")
            for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }
    saved = officer.post(reverse("admin:forums_meeting_add"), form)

    eighth = Meeting.objects.get(forum=seventh.forum, sequence=8)
    assert saved.status_code == 302
    assert saved["Location"] == checklist_url(eighth)
    assert str(eighth.time_zone) == "Pacific/Tongatapu"
