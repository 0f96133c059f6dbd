"""A working group's tasks as CSV: export within clearance, preview, all-or-nothing import."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forums.access import SECRETARIAT_GROUP
from forums.models import ForumMembership
from forums.tlp import TLP
from tests.factories import (
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups import csv_exchange
from workinggroups.csv_exchange import (
    COLUMNS,
    FORMULA_STARTS,
    apply_import,
    export_tasks,
    neutralise,
    preview_import,
    restore,
)
from workinggroups.models import Task, TaskUpdate
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db

S = Task.Status


# --- helpers ---------------------------------------------------------------------------------


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def by_id(text: str) -> dict[int, dict[str, str]]:
    return {int(row["task_id"]): row for row in rows_of(text)}


def edited(text: str, edits: dict[int, dict[str, str]], *, drop_others: bool = False) -> str:
    """The export with some cells changed, as a member does in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows_of(text):
        task_id = int(row["task_id"])
        if drop_others and task_id not in edits:
            continue
        row.update(edits.get(task_id, {}))
        writer.writerow(row)
    return out.getvalue()


def csv_text(*rows: dict[str, str], columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return out.getvalue()


def row_for(task: Task, **cells) -> dict[str, str]:
    row = {
        "task_id": str(task.pk),
        "version": str(task.version),
        "status": task.status,
        "progress": str(task.progress),
        "note": "",
    }
    row.update(cells)
    return row


def snapshot() -> dict:
    """Everything an import could write: equal before and after = nothing written."""
    return {
        "updates": TaskUpdate.objects.count(),
        "history": Task.history.count(),
        "tasks": list(
            Task.objects.order_by("pk").values_list("pk", "version", "status", "progress")
        ),
    }


def fresh(user):
    """The user re-read, so that their standing (cached on the object) is computed anew."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def team(actor):
    """A TLP:GREEN group with a member, a lead, a delegate of the forum and some tasks."""
    group = WorkingGroupFactory.create(tlp=TLP.GREEN)
    forum = group.established_by.forum
    member = UserFactory.create(username="mele")
    lead = UserFactory.create(username="tavita")
    WorkingGroupMembershipFactory.create(working_group=group, person=member)
    WorkingGroupMembershipFactory.create(working_group=group, person=lead, role="lead")
    delegate = ProfileFactory.create(user__username="delegate").user  # represents a member state
    ForumMembership.objects.create(forum=forum, member=delegate.profile.member, role="member")
    document = OutcomeDocumentFactory.create(meeting=group.established_by, tlp=TLP.CLEAR)
    public_outcome = OutcomeFactory.create(document=document, tlp=TLP.CLEAR)
    amber_outcome = OutcomeFactory.create(document=document, tlp=TLP.AMBER)
    start = TaskFactory.create(working_group=group, title="Draft the terms of reference", lead=lead)
    start.outcomes.set([public_outcome, amber_outcome])
    going = TaskFactory.create(
        working_group=group, title="Map the data-sharing agreements", status=S.IN_PROGRESS
    )
    going.progress = 30
    going.save()
    amber = TaskFactory.create(
        working_group=group, title="List the informants' handlers", tlp=TLP.AMBER
    )
    red = TaskFactory.create(working_group=group, title="Name the undercover officers", tlp=TLP.RED)
    red.recipients.add(lead)
    return {
        "group": group,
        "member": member,
        "lead": lead,
        "delegate": delegate,
        "actor": actor,
        "start": start,
        "going": going,
        "amber": amber,
        "red": red,
        "public_outcome": public_outcome,
        "amber_outcome": amber_outcome,
    }


# --- export ------------------------------------------------------------------------------------


def test_export_has_the_columns_and_the_task_values(team):
    task_update_status(actor=team["lead"], task=team["going"], note="Four of nine states replied.")
    text = export_tasks(group=team["group"], user=team["member"])
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert "\r\n" in text  # RFC 4180 line ends
    rows = by_id(text)
    start, going = team["start"], team["going"]
    going.refresh_from_db()
    assert rows[start.pk] == {
        "task_id": str(start.pk),
        "version": "1",
        "title": "Draft the terms of reference",
        "status": "not_started",
        "progress": "0",
        "due_on": start.due_on.isoformat(),
        "lead": "tavita",
        "outcomes": " ".join(
            sorted([team["public_outcome"].citation_code, team["amber_outcome"].citation_code])
        ),
        "latest_update": "",
        "note": "",
    }
    assert rows[going.pk]["version"] == str(going.version) == "2"
    assert rows[going.pk]["status"] == "in_progress"
    assert rows[going.pk]["progress"] == "30"
    today = timezone.localdate().isoformat()
    assert rows[going.pk]["latest_update"] == f"{today}: Four of nine states replied."


def test_amber_and_red_tasks_of_others_are_never_exported(team):
    group, amber, red = team["group"], team["amber"], team["red"]
    # An AMBER update on a GREEN task: the delegate must see neither its note nor its date.
    task_update_status(actor=team["member"], task=team["going"], note="Cleared for the forum.")
    task_update_status(
        actor=team["member"], task=team["going"], note="Handler moved to Suva.", tlp=TLP.AMBER
    )

    as_delegate = export_tasks(group=group, user=team["delegate"])
    rows = by_id(as_delegate)
    assert set(rows) == {team["start"].pk, team["going"].pk}
    for secret in (
        amber.title,
        red.title,
        team["amber_outcome"].citation_code,
        "Handler moved to Suva",
    ):
        assert secret not in as_delegate
    assert rows[team["start"].pk]["outcomes"] == team["public_outcome"].citation_code
    assert rows[team["going"].pk]["latest_update"].endswith(": Cleared for the forum.")

    # A member of the group reads its AMBER work, but TLP:RED only if named.
    assert set(by_id(export_tasks(group=group, user=team["member"]))) == {
        team["start"].pk,
        team["going"].pk,
        amber.pk,
    }
    assert red.pk in by_id(export_tasks(group=group, user=team["lead"]))

    # Someone with no standing in the forum sees nothing of a TLP:GREEN group.
    assert rows_of(export_tasks(group=group, user=UserFactory.create())) == []


def test_export_queries_do_not_grow_with_tasks(team):
    member = team["member"]
    export_tasks(group=team["group"], user=member)  # the member's standing is now cached

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_tasks(group=team["group"], user=member)
        return len(captured)

    few = queries()
    for n in range(5):
        task = TaskFactory.create(working_group=team["group"], lead=team["lead"])
        task.outcomes.set([team["public_outcome"]])
        task_update_status(actor=member, task=task, note=f"Update {n}")
    assert len(rows_of(export_tasks(group=team["group"], user=member))) == 8
    assert queries() == few


# --- the round trip ----------------------------------------------------------------------------


def test_round_trip_export_edit_preview_apply_export(team):
    member, start, going, amber = team["member"], team["start"], team["going"], team["amber"]
    exported = export_tasks(group=team["group"], user=member)
    text = edited(
        exported,
        {
            start.pk: {"status": "in_progress", "progress": "10", "note": "Chair sent a draft."},
            going.pk: {"status": "blocked", "note": "Waiting for the legal review."},
            amber.pk: {"progress": "55"},
        },
    )

    preview = preview_import(group=team["group"], user=member, text=text)
    assert preview.errors == []
    changes = {change.task.pk: change for change in preview.changes}
    assert set(changes) == {start.pk, going.pk, amber.pk}
    assert [change.row for change in preview.changes] == [2, 3, 4]
    assert (
        changes[start.pk].status_from,
        changes[start.pk].status_to,
        changes[start.pk].progress_to,
        changes[start.pk].note,
    ) == (S.NOT_STARTED, S.IN_PROGRESS, 10, "Chair sent a draft.")
    assert (changes[going.pk].status_to, changes[going.pk].progress_to) == (S.BLOCKED, 30)
    assert changes[going.pk].status_to_label == "Blocked"
    assert (changes[amber.pk].moves_status, changes[amber.pk].progress_to) == (False, 55)
    assert preview.unchanged == []
    assert TaskUpdate.objects.count() == 0  # a preview writes nothing

    history_before = Task.history.count()
    updates = apply_import(group=team["group"], user=member, text=text)

    assert len(updates) == 3
    assert all(update.author == member for update in updates)
    for task, status, progress in [
        (start, S.IN_PROGRESS, 10),
        (going, S.BLOCKED, 30),
        (amber, S.NOT_STARTED, 55),
    ]:
        task.refresh_from_db()
        assert (task.status, task.progress, task.version) == (status, progress, 2)
        assert task.history.latest().history_user == member
    assert Task.history.count() == history_before + 3
    notes = dict(TaskUpdate.objects.values_list("task_id", "note"))
    assert notes == {
        start.pk: "Chair sent a draft.",
        going.pk: "Waiting for the legal review.",
        amber.pk: "",
    }

    again = by_id(export_tasks(group=team["group"], user=member))
    assert (again[start.pk]["status"], again[start.pk]["progress"]) == ("in_progress", "10")
    assert again[start.pk]["version"] == "2"
    assert again[start.pk]["latest_update"].endswith(": Chair sent a draft.")
    assert again[going.pk]["status"] == "blocked"
    assert again[amber.pk]["progress"] == "55"
    assert again[amber.pk]["latest_update"].endswith(": progress 55%")

    # The same file twice: its versions are now stale, so nothing is posted again.
    with pytest.raises(ValidationError, match="changed by someone since your export"):
        apply_import(group=team["group"], user=member, text=text)
    assert TaskUpdate.objects.count() == 3


def test_rows_that_change_nothing_are_listed_as_unchanged(team):
    member = team["member"]
    exported = export_tasks(group=team["group"], user=member)
    text = edited(exported, {team["going"].pk: {"note": "Met the Fiji desk."}})
    preview = preview_import(group=team["group"], user=member, text=text + "\r\n,,,,,,,,,\r\n")
    assert [change.task.pk for change in preview.changes] == [team["going"].pk]
    assert {change.task.pk for change in preview.unchanged} == {team["start"].pk, team["amber"].pk}
    assert preview.errors == []

    [update] = apply_import(group=team["group"], user=member, text=text)
    assert (update.task_id, update.note, update.changes_status) == (
        team["going"].pk,
        "Met the Fiji desk.",
        False,
    )


def test_moving_to_ready_sets_progress_to_100(team):
    going = team["going"]
    text = csv_text(row_for(going, status="ready", note="Text agreed."))
    [change] = preview_import(group=team["group"], user=team["member"], text=text).changes
    assert (change.status_to, change.progress_to) == (S.READY, 100)
    apply_import(group=team["group"], user=team["member"], text=text)
    going.refresh_from_db()
    assert (going.status, going.progress) == (S.READY, 100)

    # Ready work said to be 60% done is a contradiction, not a guess to make.
    text = csv_text(row_for(going, progress="60", note="Reopened?"))
    [error] = preview_import(group=team["group"], user=team["member"], text=text).errors
    assert "complete: leave progress at 100" in error.message


def test_status_labels_semicolons_and_a_bom_are_read_as_a_spreadsheet_saves_them(team):
    start = team["start"]
    text = csv_text(row_for(start, status="In progress", progress="20%"))
    french_excel = "\ufeff" + text.replace(",", ";")
    [change] = preview_import(group=team["group"], user=team["member"], text=french_excel).changes
    assert (change.status_to, change.progress_to) == (S.IN_PROGRESS, 20)


# --- bad rows: listed, nothing applied ---------------------------------------------------------


def test_bad_rows_are_listed_with_row_numbers_and_nothing_is_applied(team):
    group, member = team["group"], team["member"]
    elsewhere = TaskFactory.create(title="Another group's task")
    WorkingGroupMembershipFactory.create(working_group=elsewhere.working_group, person=member)
    member = fresh(member)
    spare = [TaskFactory.create(working_group=group) for _ in range(3)]
    text = csv_text(
        row_for(team["start"], status="in_progress", note="Started."),  # row 2: fine alone
        row_for(team["going"], progress="150"),  # 3
        row_for(team["going"], progress="40"),  # 4: a second row for the same task
        {"task_id": "999999", "version": "1", "status": "blocked", "progress": "0"},  # 5
        row_for(team["red"], progress="50"),  # 6: exists, but not for this member's eyes
        row_for(elsewhere, progress="50"),  # 7
        row_for(team["amber"], status="finished"),  # 8
        row_for(spare[0], version="x"),  # 9
        {"task_id": "abc", "version": "1", "status": "blocked", "progress": "0"},  # 10
    )
    text += f"{spare[1].pk},1,,not_started,0,,,,,,surplus\r\n"  # 11
    text += csv_text(row_for(spare[2], progress="lots")).split("\r\n", 1)[1]  # 12
    before = snapshot()

    preview = preview_import(group=group, user=member, text=text)

    messages = {error.row: error.message for error in preview.errors}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "from 0 to 100" in messages[3]
    assert "already on row 3" in messages[4]
    assert messages[5] == "there is no task 999999 that you may see."
    # A task beyond one's clearance reads exactly as one that does not exist.
    assert messages[6] == f"there is no task {team['red'].pk} that you may see."
    assert "another working group" in messages[7]
    assert "“finished” is not a status" in messages[8]
    assert "version" in messages[9]
    assert "task number" in messages[10]
    assert "more cells than the header" in messages[11]
    assert "“lots” is not a whole number from 0 to 100" in messages[12]
    assert [change.row for change in preview.changes] == [2]

    with pytest.raises(ValidationError) as raised:
        apply_import(group=group, user=member, text=text)
    reported = raised.value.messages
    assert reported[0] == "Nothing was imported."
    assert [message.split(":")[0] for message in reported[1:]] == [
        f"Row {row}" for row in range(3, 13)
    ]
    assert snapshot() == before


def test_a_stale_version_is_refused_as_changed_since_the_export(team):
    member, going = team["member"], team["going"]
    exported = export_tasks(group=team["group"], user=member)
    task_update_status(actor=team["lead"], task=going, status="blocked", note="Funding paused.")
    text = edited(exported, {going.pk: {"progress": "45", "note": "Drafted annex."}})
    before = snapshot()

    [error] = preview_import(group=team["group"], user=member, text=text).errors
    assert error.row == 3
    assert "changed by someone since your export" in error.message
    with pytest.raises(ValidationError, match="changed by someone since your export"):
        apply_import(group=team["group"], user=member, text=text)
    assert snapshot() == before


def test_an_illegal_move_names_the_allowed_moves(team):
    text = csv_text(row_for(team["start"], status="ready"))
    [error] = preview_import(group=team["group"], user=team["member"], text=text).errors
    assert error.row == 2
    assert error.message == (
        "Cannot move from “Not started” to “Ready for ratification”. "
        "Allowed from here: In progress, Withdrawn."
    )
    with pytest.raises(ValidationError, match="Allowed from here: In progress, Withdrawn"):
        apply_import(group=team["group"], user=team["member"], text=text)


def test_blocking_or_withdrawing_needs_a_note(team):
    text = csv_text(row_for(team["going"], status="withdrawn"))
    [error] = preview_import(group=team["group"], user=team["member"], text=text).errors
    assert "why the task is withdrawn" in error.message


@pytest.mark.parametrize("failure", ["changed_meanwhile", "refused_by_service"])
def test_a_row_failing_during_apply_rolls_back_every_row(team, monkeypatch, failure):
    """The preview was clean, then one row fails in the service: the earlier row is undone."""
    member, start, going = team["member"], team["start"], team["going"]
    text = csv_text(
        row_for(start, status="in_progress", note="Started."),
        row_for(going, progress="80", note="Almost there."),
    )
    real_preview = csv_exchange.preview_import
    real_service = csv_exchange.task_update_status

    def preview_then_someone_moves_going(**kwargs):
        preview = real_preview(**kwargs)
        task_update_status(actor=team["lead"], task=going, note="Lead's own update.")
        return preview

    def service_refusing_going(**kwargs):
        if kwargs["task"].pk == going.pk:
            raise ValidationError({"note": ["Refused for the test."]})
        return real_service(**kwargs)

    if failure == "changed_meanwhile":
        monkeypatch.setattr(csv_exchange, "preview_import", preview_then_someone_moves_going)
        expected = "Row 3: task .* was changed by someone since your export"
    else:
        monkeypatch.setattr(csv_exchange, "task_update_status", service_refusing_going)
        expected = "Row 3: Refused for the test."
    updates_before = TaskUpdate.objects.count()  # before the lead's update, if any

    with pytest.raises(ValidationError, match=expected):
        csv_exchange.apply_import(group=team["group"], user=member, text=text)

    start.refresh_from_db()
    assert (start.status, start.version) == (S.NOT_STARTED, 1)
    assert not TaskUpdate.objects.filter(author=member).exists()
    extra = 1 if failure == "changed_meanwhile" else 0  # the lead's, outside the import
    assert TaskUpdate.objects.count() == updates_before + extra


# --- formula injection -------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_formula_starts_are_neutralised_and_restored(start):
    cell = f'{start}HYPERLINK("http://evil.example")'
    assert neutralise(cell) == "'" + cell
    assert restore(neutralise(cell)) == cell


def test_a_quote_of_ones_own_is_kept():
    assert neutralise("'tis done") == "'tis done"
    assert restore("'tis done") == "'tis done"
    assert restore("''=1") == "''=1"  # only the one quote the export adds is removed


def test_formula_cells_are_neutralised_on_export_and_restored_on_import(team):
    member, start = team["member"], team["start"]
    start.title = '=HYPERLINK("http://evil.example","Click")'
    start.save()
    task_update_status(actor=team["lead"], task=team["going"], note="@SUM(A1:A9)")
    exported = export_tasks(group=team["group"], user=member)
    assert "'=HYPERLINK(" in exported
    assert by_id(exported)[start.pk]["title"] == "'" + start.title
    # latest_update starts with its date, so it cannot be a formula.
    assert by_id(exported)[team["going"].pk]["latest_update"].endswith(": @SUM(A1:A9)")

    text = edited(exported, {start.pk: {"note": "'=cmd|' /C calc'!A0"}}, drop_others=True)
    [change] = preview_import(group=team["group"], user=member, text=text).changes
    assert change.note == "=cmd|' /C calc'!A0"
    [update] = apply_import(group=team["group"], user=member, text=text)
    assert update.note == "=cmd|' /C calc'!A0"
    latest = by_id(export_tasks(group=team["group"], user=member))[start.pk]["latest_update"]
    assert latest.endswith(": =cmd|' /C calc'!A0")


# --- who may import ----------------------------------------------------------------------------


def test_a_delegate_without_a_seat_exports_what_they_see_but_cannot_import(team):
    delegate = team["delegate"]
    exported = export_tasks(group=team["group"], user=delegate)
    assert len(rows_of(exported)) == 2
    text = edited(exported, {team["start"].pk: {"status": "in_progress", "note": "Go."}})
    before = snapshot()
    with pytest.raises(PermissionDenied, match=r"Only current members of .* and the secretariat"):
        preview_import(group=team["group"], user=delegate, text=text)
    with pytest.raises(PermissionDenied):
        apply_import(group=team["group"], user=delegate, text=text)
    assert snapshot() == before


def test_a_former_member_cannot_import(team):
    seat = team["group"].memberships.get(person=team["member"])
    seat.left_on = datetime.date(2026, 9, 1)
    seat.save()
    text = csv_text(row_for(team["start"], status="in_progress"))
    with pytest.raises(PermissionDenied):
        preview_import(group=team["group"], user=fresh(team["member"]), text=text)


def test_the_secretariat_imports_without_a_seat(team):
    officer = team["actor"]
    officer.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    officer = fresh(officer)
    text = csv_text(row_for(team["red"], progress="25", note="Recorded at the meeting."))
    [update] = apply_import(group=team["group"], user=officer, text=text)
    assert (update.author, update.task_id, update.progress) == (officer, team["red"].pk, 25)


# --- the file as a whole -----------------------------------------------------------------------


def test_missing_and_extra_columns_are_named(team):
    columns = [name for name in COLUMNS if name not in ("version", "note")] + ["owner"]
    text = csv_text(row_for(team["start"]), columns=columns)
    with pytest.raises(ValidationError) as raised:
        preview_import(group=team["group"], user=team["member"], text=text)
    [message] = raised.value.messages
    assert "missing columns: version, note" in message
    assert "unexpected columns: 'owner'" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The file is empty."),
        ('task_id,"version\r\n1,2\r\n', "not a readable CSV file"),
    ],
)
def test_an_unreadable_file_is_a_clear_error(team, text, expected):
    with pytest.raises(ValidationError, match=expected):
        preview_import(group=team["group"], user=team["member"], text=text)


def test_more_than_2000_rows_is_refused(team):
    row = row_for(team["start"])
    with pytest.raises(ValidationError, match="more than 2000 rows"):
        preview_import(group=team["group"], user=team["member"], text=csv_text(*[row] * 2001))
    # 2,000 rows are read (and here listed as repeats of one task), not refused.
    preview = preview_import(group=team["group"], user=team["member"], text=csv_text(*[row] * 2000))
    assert len(preview.unchanged) + len(preview.errors) == 2000


def test_more_than_1_mb_is_refused(team):
    note = "é" * 300_000  # 600 KB of UTF-8 in each of two rows
    text = csv_text(row_for(team["start"], note=note), row_for(team["going"], note=note))
    assert len(text) < csv_exchange.MAX_BYTES < len(text.encode("utf-8"))
    before = snapshot()
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        apply_import(group=team["group"], user=team["member"], text=text)
    assert snapshot() == before
