"""The secretariat's admin: every page opens, lists do not grow queries with rows, every
write goes through its service, refusals save nothing, and officers cannot raise their powers.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums.models import Chair, Hosting, HostingChange, Meeting
from forums.second_factor import second_factor_reset
from forums.services import hosting_record
from forums.tlp import TLP
from outcomes.models import Outcome
from reports.models import GeneratedReport
from reports.services import chair_summary_save
from tests.factories import (
    MeetingFactory,
    MemberFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
    api_token_for,
)
from workinggroups.models import Reason, Reminder, ReminderRule, Task, TaskUpdate
from workinggroups.services import reminder_preference_for

pytestmark = pytest.mark.django_db

OUR_APPS = {"forums", "outcomes", "workinggroups", "reports", "auth"}
# Append-only records: written by services from their parent's page, never on their own
# (a generated chair's report: by the report service and its job).
READ_ONLY = {
    "forums.hostingchange",
    "forums.secondfactorevent",
    "workinggroups.taskupdate",
    "workinggroups.reminder",
    "reports.generatedreport",
    "forums.apitoken",  # issued by a sign-in only, its key shown once to who signed in
}
# Made by a service, edited here: a reminder preference comes with its unsubscribe secret.
NOT_ADDED_HERE = READ_ONLY | {"workinggroups.reminderpreference"}
REGISTERED = sorted(
    f"{model._meta.app_label}.{model._meta.model_name}"
    for model in admin.site._registry
    if model._meta.app_label in OUR_APPS and model._meta.model_name != "group"
)


def admin_url(label: str, view: str, *args) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.fixture
def superuser():
    return UserFactory.create(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def officer():
    """A secretariat officer: staff, in the group the data migration made, nothing more."""
    user = UserFactory.create(username="sione.officer", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def one_of_everything(officer):
    """A meeting with a chair, a host, a document, a link, a group, a task and an update."""
    outcome = OutcomeFactory.create()
    meeting = outcome.document.meeting
    Chair.objects.create(meeting=meeting, member=MemberFactory.create(), office="Commissioner")
    meeting.attendances.create(member=MemberFactory.create(), role="member")
    hosting_record(actor=officer, meeting=meeting, member=MemberFactory.create(), status="planned")
    later = OutcomeFactory.create(
        document=OutcomeDocumentFactory.create(meeting=MeetingFactory.create())
    )
    later.links_out.create(kind="reaffirms", target_outcome=outcome)
    membership = WorkingGroupMembershipFactory.create()
    task = TaskFactory.create(working_group=membership.working_group, lead=membership.person)
    task.outcomes.add(outcome)
    TaskUpdate.objects.create(
        task=task,
        author=officer,
        status_from="not_started",
        status_to="not_started",
        progress=10,
        note="Drafting.",
    )
    ProfileFactory.create()
    meeting.forum.memberships.create(member=MemberFactory.create(), role="member")
    ReminderRule.objects.create(forum=meeting.forum, reason=Reason.TASK_DUE, days_before="7")
    reminder_preference_for(membership.person)
    add_reminder(officer)
    add_generated_report(officer)
    add_chair_summary(officer)
    api_token_for(officer, "laptop script")
    second_factor_reset(actor=officer, person=membership.person)
    return {"meeting": meeting, "task": task, "outcome": outcome}


def post_data(response) -> dict:
    """What the browser would post back for the change form in `response`, untouched."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, str | list[str]] = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(bound.field.widget, MultiWidget):  # e.g. a date and a time
                parts = bound.field.widget.decompress(value)
                assert parts is not None, "a multi-widget's value splits into its parts"
                for i, part in enumerate(parts):
                    data[f"{bound.html_name}_{i}"] = str(part)
            elif value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)
    return data


def inline_formset(response, model):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset
    raise AssertionError(f"no inline for {model.__name__}")


# --- every page opens -----------------------------------------------------------------


@pytest.mark.parametrize("label", REGISTERED)
@pytest.mark.parametrize("who", ["officer", "superuser"])
def test_changelist_add_and_change_pages_open(client, request, one_of_everything, label, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(admin_url(label, "changelist")).status_code == 200
    add_status = client.get(admin_url(label, "add")).status_code
    assert add_status == (403 if label in NOT_ADDED_HERE else 200)
    model = apps.get_model(label)
    obj = model._default_manager.order_by("pk").first()
    assert client.get(admin_url(label, "change", obj.pk)).status_code == 200


def autocomplete_fields():
    for model_admin in admin.site._registry.values():
        inlines = [inline(model_admin.model, admin.site) for inline in model_admin.inlines]
        for source in [model_admin, *inlines]:
            for field_name in source.autocomplete_fields:
                yield source.model._meta.label_lower, field_name


@pytest.mark.parametrize(("label", "field_name"), sorted(set(autocomplete_fields())))
@pytest.mark.parametrize("term", ["5", "Palau"])
def test_every_autocomplete_answers_the_officer(officer_client, label, field_name, term):
    app_label, model_name = label.split(".")
    response = officer_client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200


def test_every_domain_model_is_registered():
    assert set(REGISTERED) == {
        "auth.user",
        "forums.apitoken",
        "forums.attendance",
        "forums.chair",
        "forums.forum",
        "forums.forummembership",
        "forums.hosting",
        "forums.hostingchange",
        "forums.meeting",
        "forums.member",
        "forums.profile",
        "forums.secondfactorevent",
        "outcomes.outcome",
        "outcomes.outcomedocument",
        "outcomes.outcomelink",
        "reports.chairsummary",
        "reports.generatedreport",
        "workinggroups.reminder",
        "workinggroups.reminderpreference",
        "workinggroups.reminderrule",
        "workinggroups.task",
        "workinggroups.taskupdate",
        "workinggroups.workinggroup",
        "workinggroups.workinggroupmembership",
    }


# --- lists do not make a query per row ------------------------------------------------


def changelist_queries(client, label: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(label, "changelist"))
    assert response.status_code == 200
    return len(queries)


def add_meeting(officer):
    meeting = MeetingFactory.create(title="")  # its name is made from its forum
    Chair.objects.create(meeting=meeting, member=MemberFactory.create())
    Chair.objects.create(meeting=meeting, member=MemberFactory.create(), role=Chair.Role.CO_CHAIR)
    hosting_record(
        actor=officer, meeting=meeting, member=MemberFactory.create(), status="confirmed"
    )


def add_outcome(officer):
    OutcomeFactory.create(document=OutcomeDocumentFactory.create())


def add_task(officer):
    membership = WorkingGroupMembershipFactory.create()
    task = TaskFactory.create(working_group=membership.working_group, lead=membership.person)
    task.outcomes.add(OutcomeFactory.create(), OutcomeFactory.create())


def add_working_group(officer):
    group = WorkingGroupFactory.create()
    WorkingGroupMembershipFactory.create(working_group=group)
    TaskFactory.create(working_group=group)


def add_hosting(officer):
    hosting_record(
        actor=officer,
        meeting=MeetingFactory.create(),
        member=MemberFactory.create(),
        status="planned",
        announced_at=MeetingFactory.create(),
    )


def add_document(officer):
    OutcomeFactory.create(document=OutcomeDocumentFactory.create())


def add_task_update(officer):
    TaskUpdate.objects.create(
        task=TaskFactory.create(),
        author=UserFactory.create(),
        status_from="not_started",
        status_to="not_started",
        progress=5,
    )


def add_user(officer):
    ProfileFactory.create()


def add_reminder(officer):
    task = TaskFactory.create()
    Reminder.objects.create(
        person=UserFactory.create(),
        reason=Reason.TASK_DUE,
        subject=f"task:{task.pk}",
        task=task,
        scheduled_for=datetime.date(2027, 6, 27),
        days_before=3,
        send_after=datetime.datetime(2027, 6, 27, 8, tzinfo=datetime.UTC),
    )


def add_generated_report(officer):
    GeneratedReport.objects.create(
        meeting=MeetingFactory.create(),
        requested_by=UserFactory.create(),
        level=TLP.GREEN,
        format="pdf",
        as_of=datetime.date(2027, 8, 1),
    )


def add_chair_summary(officer):
    chair_summary_save(
        actor=officer,
        meeting=MeetingFactory.create(),
        key_messages="Leaders are asked to note the treaty's progress.",
        recommendations="Endorse the framework.",
    )


@pytest.mark.parametrize(
    ("label", "add_row"),
    [
        ("forums.meeting", add_meeting),
        ("outcomes.outcome", add_outcome),
        ("workinggroups.task", add_task),
        ("workinggroups.workinggroup", add_working_group),
        ("forums.hosting", add_hosting),
        ("outcomes.outcomedocument", add_document),
        ("workinggroups.taskupdate", add_task_update),
        ("auth.user", add_user),
        ("workinggroups.reminder", add_reminder),
        ("reports.generatedreport", add_generated_report),
        ("reports.chairsummary", add_chair_summary),
    ],
)
def test_changelist_queries_do_not_grow_with_rows(officer_client, officer, label, add_row):
    add_row(officer)
    with_one = changelist_queries(officer_client, label)
    for _ in range(29):
        add_row(officer)
    assert changelist_queries(officer_client, label) == with_one


# --- writes go through the services ---------------------------------------------------


def test_task_update_inline_moves_the_task_through_the_service(officer_client, officer):
    task = TaskFactory.create()
    url = admin_url("workinggroups.task", "change", task.pk)
    response = officer_client.get(url)
    data = post_data(response)
    row = inline_formset(response, TaskUpdate).extra_forms[0].prefix
    data |= {f"{row}-status_to": "in_progress", f"{row}-progress": "20", f"{row}-note": "Begun."}

    response = officer_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    task.refresh_from_db()
    assert (task.status, task.progress) == (Task.Status.IN_PROGRESS, 20)
    update = task.updates.get()
    assert (update.author, update.status_from, update.note) == (officer, "not_started", "Begun.")
    assert task.history.latest().history_user == officer
    history = officer_client.get(admin_url("workinggroups.task", "history", task.pk))
    assert officer.username in history.content.decode()


def test_an_illegal_task_move_shows_the_allowed_moves_and_changes_nothing(officer_client):
    task = TaskFactory.create(title="Draft terms of reference")
    url = admin_url("workinggroups.task", "change", task.pk)
    response = officer_client.get(url)
    data = post_data(response)
    row = inline_formset(response, TaskUpdate).extra_forms[0].prefix
    # The title is saved before the update is refused: the refusal must undo it too.
    data |= {"title": "Renamed", f"{row}-status_to": "ratified", f"{row}-note": "Done."}

    response = officer_client.post(url, data)

    assert response.status_code == 200
    row_errors = inline_formset(response, TaskUpdate).extra_forms[0].non_field_errors()
    assert row_errors == [
        "Cannot move from “Not started” to “Ratified”. Allowed from here: In progress, Withdrawn."
    ]
    assert 'value="Renamed"' in response.content.decode()  # what the officer typed stays
    task.refresh_from_db()
    assert (task.status, task.title) == (Task.Status.NOT_STARTED, "Draft terms of reference")
    assert not task.updates.exists()
    assert task.history.count() == 1


def test_meeting_and_task_lists_show_chairs_host_and_outcomes(officer_client, officer):
    meeting = MeetingFactory.create(title="5th JHoPS")
    Chair.objects.create(meeting=meeting, member=MemberFactory.create(name="Palau"))
    hosting_record(
        actor=officer, meeting=meeting, member=MemberFactory.create(name="Fiji"), status="hosted"
    )
    task = TaskFactory.create()
    task.outcomes.add(OutcomeFactory.create(citation_code="JHOPS/4/16", document__code="JHOPS/4"))

    meetings = officer_client.get(admin_url("forums.meeting", "changelist")).content.decode()
    tasks = officer_client.get(admin_url("workinggroups.task", "changelist")).content.decode()

    assert "Palau" in meetings
    assert "Fiji" in meetings
    assert "JHOPS/4/16" in tasks


def test_task_status_cannot_be_posted_on_the_task_form(officer_client):
    task = TaskFactory.create()
    url = admin_url("workinggroups.task", "change", task.pk)
    data = post_data(officer_client.get(url)) | {"status": "ratified", "progress": "100"}

    assert officer_client.post(url, data).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.progress) == (Task.Status.NOT_STARTED, 0)


def test_a_lead_outside_the_group_is_refused_with_nothing_saved(officer_client):
    task = TaskFactory.create()
    url = admin_url("workinggroups.task", "change", task.pk)
    response = officer_client.get(url)
    data = post_data(response) | {"lead": str(UserFactory.create().pk), "title": "Renamed"}
    row = inline_formset(response, TaskUpdate).extra_forms[0].prefix
    data[f"{row}-note"] = "Lead changed."

    response = officer_client.post(url, data)

    assert response.status_code == 200
    assert "The lead must be a current member of the working group." in response.content.decode()
    task.refresh_from_db()
    assert task.title != "Renamed"
    assert task.lead is None
    assert not task.updates.exists()


def test_a_meeting_that_ends_before_it_starts_is_refused(officer_client):
    url = admin_url("forums.meeting", "add")
    data = post_data(officer_client.get(url)) | {
        "forum": str(MeetingFactory.create().forum_id),
        "sequence": "9",
        "start_date": "2027-08-24",
        "end_date": "2027-08-23",
    }

    response = officer_client.post(url, data)

    assert response.status_code == 200
    assert "A meeting cannot end before it starts." in response.content.decode()
    assert Meeting.objects.count() == 1


def test_a_duplicate_outcome_number_in_the_document_is_refused(officer_client):
    outcome = OutcomeFactory.create(number="16")
    url = admin_url("outcomes.outcomedocument", "change", outcome.document_id)
    response = officer_client.get(url)
    data = post_data(response)
    formset = inline_formset(response, Outcome)
    row = f"{formset.prefix}-{formset.total_form_count()}"
    data |= {
        f"{row}-number": "16",
        f"{row}-text": "Members agreed again.",
        f"{row}-tlp": "0",
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count() + 1),
    }

    response = officer_client.post(url, data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for number." in response.content.decode()
    assert Outcome.objects.count() == 1


def test_an_outcome_added_in_the_document_gets_its_citation_code(officer_client, officer):
    document = OutcomeDocumentFactory.create(code="JHOPS/4")
    OutcomeFactory.create(document=document, number="15", position=1)
    url = admin_url("outcomes.outcomedocument", "change", document.pk)
    response = officer_client.get(url)
    data = post_data(response)
    formset = inline_formset(response, Outcome)
    row = f"{formset.prefix}-{formset.total_form_count()}"
    data |= {
        f"{row}-number": "16",
        f"{row}-text": "Members agreed to establish a working group.",
        f"{row}-tlp": "0",
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count() + 1),
    }

    assert officer_client.post(url, data).status_code == 302
    added = Outcome.objects.get(number="16")
    assert (added.citation_code, added.position) == ("JHOPS/4/16", 2)
    assert added.history.get().history_user == officer


def test_hosting_moves_through_the_action_and_illegal_moves_are_explained(officer_client, officer):
    planned = hosting_record(
        actor=officer,
        meeting=MeetingFactory.create(),
        member=MemberFactory.create(),
        status="planned",
    )
    hosted = hosting_record(
        actor=officer,
        meeting=MeetingFactory.create(),
        member=MemberFactory.create(),
        status="hosted",
    )
    url = admin_url("forums.hosting", "changelist")

    response = officer_client.post(
        url,
        {
            "action": "change_status",
            "_selected_action": [planned.pk, hosted.pk],
            "status": "withdrawn",
            "effective_on": "2024-05-01",
            "note": "Host changed its plans.",
        },
        follow=True,
    )

    content = response.content.decode()
    assert "Allowed from here: none: it is final." in content
    assert "Moved 1 hosting(s)." in content
    planned.refresh_from_db()
    hosted.refresh_from_db()
    assert (planned.status, hosted.status) == ("withdrawn", "hosted")
    change = HostingChange.objects.filter(hosting=planned).latest("pk")
    assert (change.status_from, change.recorded_by) == ("planned", officer)
    assert change.effective_on == datetime.date(2024, 5, 1)


def test_outcomes_are_marked_implemented_through_the_service(officer_client, officer):
    outcome = OutcomeFactory.create()
    officer_client.post(
        admin_url("outcomes.outcome", "changelist"),
        {"action": "mark_implemented", "_selected_action": [outcome.pk]},
    )
    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.IMPLEMENTED
    assert outcome.history.latest().history_user == officer


def test_marking_implemented_refuses_an_outcome_that_is_not_active(officer_client):
    active = OutcomeFactory.create()
    elapsed = OutcomeFactory.create(status=Outcome.Status.ELAPSED)
    response = officer_client.post(
        admin_url("outcomes.outcome", "changelist"),
        {"action": "mark_implemented", "_selected_action": [active.pk, elapsed.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert f"{elapsed}: Cannot move from “Elapsed” to “Implemented”." in page
    assert "Marked 1 outcome(s) “Implemented”." in page
    active.refresh_from_db()
    elapsed.refresh_from_db()
    assert (active.status, elapsed.status) == ("implemented", "elapsed")


def serving(outcome, **fields):
    task = TaskFactory.create(
        working_group=WorkingGroupFactory.create(established_by=outcome.document.meeting),
        **fields,
    )
    task.outcomes.add(outcome)
    return task


def changelist_rows(client, label: str, **params) -> list:
    response = client.get(admin_url(label, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_outcomes_show_their_implementation_and_which_to_consider_implemented(officer_client):
    done = OutcomeFactory.create(number="1")
    serving(done, status=Task.Status.RATIFIED)
    serving(done, status=Task.Status.WITHDRAWN)
    moving = OutcomeFactory.create(number="2")
    serving(moving, status=Task.Status.RATIFIED)
    serving(moving, status=Task.Status.IN_PROGRESS, progress=40)
    closed = OutcomeFactory.create(number="3", status=Outcome.Status.IMPLEMENTED)
    serving(closed, status=Task.Status.RATIFIED)
    idle = OutcomeFactory.create(number="4")

    rows = {o.pk: o for o in changelist_rows(officer_client, "outcomes.outcome")}
    outcome_admin = admin.site._registry[Outcome]
    assert [outcome_admin.standing(rows[o.pk]) for o in (done, moving, closed, idle)] == [
        "Done, 100%",
        "Under way, 70%",
        "Done, 100%",
        "No work assigned",
    ]
    proposed = changelist_rows(officer_client, "outcomes.outcome", proposed="implemented")
    assert proposed == [done]
    # Sorted on the column: SQL reads each row's figure (the action checkbox is column 0).
    column = outcome_admin.list_display.index("standing") + 1
    by_progress = changelist_rows(officer_client, "outcomes.outcome", o=f"-{column}")
    ranked = [o.pk for o in by_progress if o != idle]  # no figure: NULL, first or last
    assert (set(ranked[:2]), ranked[2:]) == ({done.pk, closed.pk}, [moving.pk])
    sorted_proposed = changelist_rows(
        officer_client, "outcomes.outcome", proposed="implemented", o=str(column)
    )
    assert sorted_proposed == [done]


def test_the_implementation_column_counts_the_work_its_reader_may_read(client, officer):
    """A staff account outside the secretariat reads CLEAR work only: a RED task serving
    the outcome is in the officer's figure, not in theirs."""
    clerk = UserFactory.create(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_outcome"))
    outcome = OutcomeFactory.create(tlp=TLP.CLEAR)
    outcome.document.tlp = TLP.CLEAR
    outcome.document.save()
    public = serving(outcome, status=Task.Status.RATIFIED, tlp=TLP.CLEAR)
    public.working_group.tlp = TLP.CLEAR
    public.working_group.save()
    serving(outcome, status=Task.Status.IN_PROGRESS, tlp=TLP.RED, progress=0)
    outcome_admin = admin.site._registry[Outcome]

    client.force_login(officer)
    (as_officer,) = changelist_rows(client, "outcomes.outcome")
    client.force_login(clerk)
    (as_clerk,) = changelist_rows(client, "outcomes.outcome")
    assert outcome_admin.standing(as_officer) == "Under way, 50%"
    assert outcome_admin.standing(as_clerk) == "Done, 100%"


def test_tasks_filter_by_late_work(officer_client):
    today = datetime.date.today()
    late = TaskFactory.create(title="late", due_on=today - datetime.timedelta(days=5))
    quiet = TaskFactory.create(title="quiet", due_on=today + datetime.timedelta(days=300))
    Task.objects.filter(pk=quiet.pk).update(
        created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=120)
    )
    TaskFactory.create(title="fine", due_on=today + datetime.timedelta(days=300))

    def titles(late_work: str) -> set[str]:
        rows = changelist_rows(officer_client, "workinggroups.task", late=late_work)
        return {task.title for task in rows}

    assert titles("overdue") == {late.title}
    assert titles("stalled") == {quiet.title}


def test_open_tasks_carry_over_to_the_next_meeting(officer_client):
    task = TaskFactory.create()
    next_meeting = MeetingFactory.create(
        forum=task.reports_to.forum,
        sequence=task.reports_to.sequence + 1,
        start_date=datetime.date(2028, 8, 1),
        end_date=datetime.date(2028, 8, 2),
    )
    officer_client.post(
        admin_url("workinggroups.task", "changelist"),
        {"action": "carry_over", "_selected_action": [task.pk]},
    )
    task.refresh_from_db()
    assert (task.reports_to, task.due_on) == (next_meeting, next_meeting.start_date)


def test_a_staff_account_outside_the_secretariat_is_refused_by_the_service(client):
    """The admin's permissions are the door; the service asks the policy again."""
    clerk = UserFactory.create(username="clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_task", "change_task"])
    )
    client.force_login(clerk)
    task = TaskFactory.create()
    MeetingFactory.create(forum=task.reports_to.forum, sequence=task.reports_to.sequence + 1)
    before = (task.reports_to_id, task.due_on, task.version)

    response = client.post(
        admin_url("workinggroups.task", "changelist"),
        {"action": "carry_over", "_selected_action": [task.pk]},
        follow=True,
    )

    assert "Only the secretariat carries work over." in response.content.decode()
    task.refresh_from_db()
    assert (task.reports_to_id, task.due_on, task.version) == before


# --- the Secretariat group ------------------------------------------------------------


def test_the_secretariat_group_has_exactly_its_permissions():
    group = Group.objects.get(name="Secretariat")
    vac = ("view", "add", "change")
    expected = {
        *(f"{a}_{m}" for m in ("member", "forum", "meeting", "hosting", "profile") for a in vac),
        *(f"{a}_{m}" for m in ("outcomedocument", "outcome", "workinggroup", "task") for a in vac),
        *(
            f"{a}_{m}"
            for m in (
                "chair",
                "attendance",
                "forummembership",
                "workinggroupmembership",
                "outcomelink",
            )
            for a in (*vac, "delete")
        ),
        "view_hostingchange",
        "add_hostingchange",
        "view_taskupdate",
        "add_taskupdate",
        # Second-factor events (forums 0006): read, never written in the admin.
        "view_secondfactorevent",
        "view_user",
        "add_user",
        "change_user",
        # Reminders (workinggroups 0006): rules kept, preferences changed, the ledger read.
        "view_reminderrule",
        "add_reminderrule",
        "change_reminderrule",
        "view_historicalreminderrule",
        "view_reminderpreference",
        "change_reminderpreference",
        "view_historicalreminderpreference",
        "view_reminder",
        # Chair's reports (reports 0002): read, never written or deleted in the admin.
        "view_generatedreport",
        # The read log of TLP:RED items (readlog 0001): read, never written in the admin.
        "view_redread",
        # Chair's summaries (reports 0006): written for the chairs, never deleted.
        "view_chairsummary",
        "add_chairsummary",
        "change_chairsummary",
        "view_historicalchairsummary",
        # API tokens (forums 0007): everyone's seen, to revoke; never added or changed.
        "view_apitoken",
        *(
            f"view_historical{m}"
            for m in (
                "member",
                "forum",
                "forummembership",
                "meeting",
                "chair",
                "attendance",
                "hosting",
                "profile",
                "outcomedocument",
                "outcome",
                "outcome_responsible",
                "outcomelink",
                "workinggroup",
                "workinggroupmembership",
                "task",
                "task_outcomes",
            )
        ),
    }
    assert set(group.permissions.values_list("codename", flat=True)) == expected
    assert group.permissions.count() == len(expected)


def test_an_officer_cannot_make_themselves_superuser(officer_client, officer):
    url = admin_url("auth.user", "change", officer.pk)
    response = officer_client.get(url)
    assert "is_superuser" not in response.context["adminform"].form.fields
    data = post_data(response) | {
        "is_superuser": "on",
        "user_permissions": ["1"],
        "groups": [str(Group.objects.create(name="Everything").pk)],
    }

    assert officer_client.post(url, data).status_code == 302
    officer.refresh_from_db()
    assert not officer.is_superuser
    assert not officer.user_permissions.exists()
    assert list(officer.groups.values_list("name", flat=True)) == ["Secretariat"]


def test_an_officer_cannot_change_a_superusers_account(officer_client, superuser):
    url = admin_url("auth.user", "change", superuser.pk)
    assert officer_client.get(url).status_code == 200  # to see who it is, read-only
    assert officer_client.post(url, {"username": "mine"}).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert officer_client.get(password_url).status_code == 403


def test_history_pages_cannot_revert(officer_client, one_of_everything):
    meeting = one_of_everything["meeting"]
    version = meeting.history.latest()
    url = reverse("admin:forums_meeting_simple_history", args=[meeting.pk, version.pk])
    assert officer_client.get(url).status_code == 200
    assert officer_client.post(url, {"sequence": "99"}).status_code == 403


def test_hosting_records_its_first_status_when_added(officer_client, officer):
    url = admin_url("forums.hosting", "add")
    meeting, member = MeetingFactory.create(), MemberFactory.create()
    data = post_data(officer_client.get(url)) | {
        "meeting": str(meeting.pk),
        "member": str(member.pk),
        "status": "interest",
        "note": "Offered at the 5th meeting.",
    }
    assert officer_client.post(url, data).status_code == 302
    hosting = Hosting.objects.get(meeting=meeting)
    change = hosting.changes.get()
    assert (change.status_to, change.note, change.recorded_by) == (
        "interest",
        "Offered at the 5th meeting.",
        officer,
    )


def test_an_officer_adds_a_person_with_the_member_they_represent(officer_client):
    url = admin_url("auth.user", "add")
    palau = MemberFactory.create(name="Palau")
    data = post_data(officer_client.get(url)) | {
        "username": "kiribati.focal.point",
        "usable_password": "true",
        "password1": "a long pacific passphrase",
        "password2": "a long pacific passphrase",
        "profile-0-member": str(palau.pk),
        "profile-0-language": "en",
    }

    response = officer_client.post(url, data)

    assert response.status_code == 302
    person = get_user_model().objects.get(username="kiribati.focal.point")
    assert person.profile.member == palau
    assert not person.is_staff


@pytest.mark.parametrize(
    ("view", "field"),
    [
        ("outcomes_outcomedocument_import", "meeting"),
        ("workinggroups_task_add", "working_group"),
        ("outcomes_outcome_add", "recipients"),
    ],
)
def test_an_id_past_the_databases_integers_is_no_choice_not_a_crash(officer_client, view, field):
    response = officer_client.post(reverse(f"admin:{view}"), {field: "9" * 30, "text": "1. x"})

    assert response.status_code == 200
    form = response.context.get("adminform") or response.context["meta_form"]
    form = getattr(form, "form", form)
    assert field in form.errors
