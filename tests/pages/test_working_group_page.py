"""A working group's page: mandate, members, tasks by status; its CSV export and import pages."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forums.tlp import TLP
from tests.factories import TaskFactory, UserFactory, WorkingGroupMembershipFactory
from tests.pages.conftest import client_for
from workinggroups.csv_exchange import COLUMNS
from workinggroups.models import Task, TaskUpdate
from workinggroups.services import task_update_status

pytestmark = pytest.mark.django_db

S = Task.Status


def url(group, suffix: str = "") -> str:
    return f"/working-groups/{group.pk}/{suffix}"


def snapshot() -> dict:
    return {
        "updates": TaskUpdate.objects.count(),
        "history": Task.history.count(),
        "tasks": list(
            Task.objects.order_by("pk").values_list("pk", "version", "status", "progress")
        ),
    }


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def exported(client, group) -> str:
    response = client.get(url(group, "tasks.csv"))
    assert response.status_code == 200
    return response.content.decode("utf-8")


def edited(text: str, edits: dict[int, dict[str, str]]) -> str:
    """The export with some cells changed, as a member does in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows_of(text):
        row.update(edits.get(int(row["task_id"]), {}))
        writer.writerow(row)
    return out.getvalue()


# --- the page -----------------------------------------------------------------------------------


def test_group_page_shows_mandate_current_members_and_tasks_by_status(team):
    group = team["group"]
    former = UserFactory.create(username="former", first_name="Former")
    WorkingGroupMembershipFactory.create(
        working_group=group, person=former, left_on=datetime.date(2026, 9, 1)
    )
    task_update_status(
        actor=team["lead"], task=team["amber_task"], status=S.IN_PROGRESS, note="Started."
    )
    TaskFactory.create(working_group=group, title="Ratified protocol", status=S.RATIFIED)

    response = client_for(team["member"]).get(url(group))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft a regional treaty framework for ratification at the 5th meeting." in html
    members = html[html.index("<h2>Members</h2>") : html.index("tasks</h2>")]
    assert "Mele" in members and "Tavita" in members
    assert "Former" not in members  # left the group
    assert [label for label, _tasks in response.context["by_status"]] == [
        "Not started",
        "In progress",
        "Ratified",
    ]
    by_status = {
        label: [task.title for task in tasks] for label, tasks in response.context["by_status"]
    }
    assert by_status == {
        "Not started": ["Consider a treaty framework"],
        "In progress": ["Map the informant handlers"],
        "Ratified": ["Ratified protocol"],
    }
    assert (
        html.index("<h3>Not started") < html.index("<h3>In progress") < html.index("<h3>Ratified")
    )
    assert "Name the undercover officers" not in html  # RED, the member is not named
    assert "Import progress from a CSV" in html


def test_group_page_shows_only_tasks_the_reader_may_see(team):
    group = team["group"]
    as_delegate = client_for(team["delegate"]).get(url(group))
    assert as_delegate.status_code == 200
    html = as_delegate.content.decode()
    assert "Consider a treaty framework" in html
    assert "Map the informant handlers" not in html  # AMBER: the group's own
    assert "Name the undercover officers" not in html
    assert as_delegate.context["task_count"] == 1
    assert "Import progress from a CSV" not in html  # not on the group

    as_lead = client_for(team["lead"]).get(url(group))
    assert as_lead.context["task_count"] == 3
    assert "Name the undercover officers" in as_lead.content.decode()


def test_a_group_beyond_clearance_is_not_found(team):
    group = team["group"]
    assert client_for(None).get(url(group)).status_code == 404
    assert client_for(team["stranger"]).get(url(group)).status_code == 404
    assert client_for(team["stranger"]).get(url(group, "tasks.csv")).status_code == 404
    group.tlp = TLP.AMBER
    group.save()
    assert client_for(team["delegate"]).get(url(group)).status_code == 404
    assert client_for(team["member"]).get(url(group)).status_code == 200
    assert client_for(team["chair"]).get(url(group)).status_code == 200  # the forum's chair


# --- CSV export ---------------------------------------------------------------------------------


def test_csv_export_downloads_the_columns_and_visible_tasks_only(team):
    group = team["group"]
    response = client_for(team["delegate"]).get(url(group, "tasks.csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="talanoa-working-group-{group.pk}-tasks-' in disposition
    assert disposition.endswith('.csv"')

    text = response.content.decode("utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = rows_of(text)
    assert [row["title"] for row in rows] == ["Consider a treaty framework"]
    assert rows[0]["task_id"] == str(team["treaty"].pk)
    assert rows[0]["outcomes"] == "HOS/4/15"  # its AMBER and RED outcomes are not named

    as_member = rows_of(exported(client_for(team["member"]), group))
    assert {row["title"] for row in as_member} == {
        "Consider a treaty framework",
        "Map the informant handlers",
    }


# --- CSV import ---------------------------------------------------------------------------------


def test_import_page_is_for_the_groups_members_only(team):
    group = team["group"]
    assert client_for(team["member"]).get(url(group, "import/")).status_code == 200
    assert client_for(team["officer"]).get(url(group, "import/")).status_code == 200
    for reader in ("delegate", "observer", "chair"):
        client = client_for(team[reader])
        assert client.get(url(group, "import/")).status_code == 403, reader
        before = snapshot()
        response = client.post(url(group, "import/"), {"text": "task_id\n1\n", "action": "apply"})
        assert response.status_code == 403
        assert snapshot() == before
    anonymous = client_for(None).get(url(group, "import/"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_import_preview_lists_the_changes_and_writes_nothing(team):
    group, treaty, amber = team["group"], team["treaty"], team["amber_task"]
    client = client_for(team["member"])
    text = edited(
        exported(client, group),
        {
            treaty.pk: {"status": "in_progress", "progress": "25", "note": "Consultations open."},
            amber.pk: {"progress": "10"},
        },
    )
    before = snapshot()
    upload = SimpleUploadedFile("tasks.csv", text.encode("utf-8-sig"), content_type="text/csv")
    response = client.post(url(group, "import/"), {"file": upload, "action": "preview"})
    assert response.status_code == 200
    assert snapshot() == before
    preview = response.context["preview"]
    assert preview.ok
    assert {(c.task.pk, c.status_to, c.progress_to) for c in preview.changes} == {
        (treaty.pk, "in_progress", 25),
        (amber.pk, "not_started", 10),
    }
    html = response.content.decode()
    assert "Not started → In progress" in html
    assert "Consultations open." in html
    assert 'value="apply"' in html  # the apply button carries the same rows


def test_import_preview_lists_row_errors_with_400(team):
    group, treaty, amber = team["group"], team["treaty"], team["amber_task"]
    client = client_for(team["member"])
    text = edited(
        exported(client, group),
        {treaty.pk: {"status": "ready", "progress": "100"}, amber.pk: {"progress": "250"}},
    )
    before = snapshot()
    response = client.post(url(group, "import/"), {"text": text, "action": "preview"})
    assert response.status_code == 400
    assert snapshot() == before
    errors = response.context["preview"].errors
    assert sorted(error.row for error in errors) == [2, 3]
    html = response.content.decode()
    assert "2 rows cannot be imported." in html
    assert 'value="apply"' not in html


def test_import_apply_posts_every_change_through_the_service(team):
    group, treaty, amber, member = team["group"], team["treaty"], team["amber_task"], team["member"]
    client = client_for(member)
    text = edited(
        exported(client, group),
        {
            treaty.pk: {"status": "in_progress", "progress": "25", "note": "Consultations open."},
            amber.pk: {"progress": "10"},
        },
    )
    response = client.post(url(group, "import/"), {"text": text, "action": "apply"})
    assert response.status_code == 302
    assert response["Location"] == url(group)
    treaty.refresh_from_db()
    amber.refresh_from_db()
    assert (treaty.status, treaty.progress, amber.progress) == (S.IN_PROGRESS, 25, 10)
    updates = TaskUpdate.objects.filter(task__in=[treaty, amber])
    assert updates.count() == 2
    assert {update.author for update in updates} == {member}
    assert "2 updates imported." in client.get(url(group)).content.decode()


def test_import_apply_with_one_bad_row_applies_nothing(team):
    group, treaty, amber = team["group"], team["treaty"], team["amber_task"]
    client = client_for(team["member"])
    text = edited(
        exported(client, group),
        {
            treaty.pk: {"status": "in_progress", "progress": "25", "note": "Good row."},
            amber.pk: {"status": "blocked", "note": ""},  # not_started -> blocked: not allowed
        },
    )
    before = snapshot()
    response = client.post(url(group, "import/"), {"text": text, "action": "apply"})
    assert response.status_code == 400
    assert snapshot() == before
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert "Row 3:" in html


def test_import_apply_after_someone_moved_a_task_applies_nothing(team):
    group, treaty, amber = team["group"], team["treaty"], team["amber_task"]
    client = client_for(team["member"])
    text = edited(
        exported(client, group),
        {
            treaty.pk: {"status": "in_progress", "progress": "25", "note": "Good row."},
            amber.pk: {"progress": "10"},
        },
    )
    task_update_status(actor=team["lead"], task=amber, progress=5, note="Lead got there first.")
    before = snapshot()
    response = client.post(url(group, "import/"), {"text": text, "action": "apply"})
    assert response.status_code == 400
    assert snapshot() == before
    treaty.refresh_from_db()
    assert treaty.status == S.NOT_STARTED


def test_import_with_nothing_to_read_is_a_form_error(team):
    response = client_for(team["member"]).post(
        url(team["group"], "import/"), {"text": "  ", "action": "preview"}
    )
    assert response.status_code == 400
    assert "Choose a CSV file or paste its rows." in response.content.decode()


@pytest.mark.parametrize("size", [1_500_000, 6_000_000], ids=["over-1MB", "over-the-upload-bound"])
def test_a_csv_file_over_1_mb_is_refused_with_its_size_whatever_its_size(team, size):
    # Past 5 MB the file is dropped as it arrives (settings.FILE_UPLOAD_HANDLERS) and never
    # reaches the form: the member is still told why, not asked for a file they sent.
    upload = SimpleUploadedFile("tasks.csv", b"task_id\n" + b"1\n" * (size // 2))
    before = snapshot()

    response = client_for(team["member"]).post(
        url(team["group"], "import/"), {"file": upload, "action": "apply"}
    )

    assert response.status_code == 400
    assert "The file is larger than 1 MB" in response.content.decode()
    assert snapshot() == before
