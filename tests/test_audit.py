"""The audit rule of forums/audit.py: every write of an audited model leaves an attributed row.

Audited models are those registered with django-simple-history (`history =
HistoricalRecords()`). `save()` writes their history rows; `QuerySet.update()`,
`bulk_create()`, `bulk_update()` and raw SQL do not, so the application code never uses
them on audited models.
"""

import ast
import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from simple_history.models import HistoricalChanges, registered_models

from forums.audit import save_validated
from forums.models import Chair, Hosting
from forums.services import ChairSeat, hosting_change_status, hosting_record, meeting_create
from outcomes.services import OutcomeSpec, outcome_document_record
from tests.factories import ForumFactory, MeetingFactory, MemberFactory, UserFactory
from workinggroups.models import Reminder, ReminderSweepInput, Task
from workinggroups.services import task_add, task_update_status, working_group_establish

ROOT = Path(__file__).resolve().parent.parent
APPLICATION_PACKAGES = ("forums", "outcomes", "workinggroups", "fixtures", "config")

BULK_WRITES = frozenset({"bulk_create", "bulk_update", "raw"})
# Methods that return a QuerySet: a chain through one of them ends in a QuerySet, not a dict.
QUERYSET_METHODS = frozenset(
    {
        "all",
        "annotate",
        "defer",
        "distinct",
        "exclude",
        "filter",
        "get_queryset",
        "none",
        "only",
        "order_by",
        "prefetch_related",
        "select_for_update",
        "select_related",
        "using",
    }
)
# Variable names that hold a QuerySet by convention (admin actions get `queryset`).
QUERYSET_NAMES = frozenset({"queryset", "qs"})


def _history_models() -> set[type]:
    return {model for model in apps.get_models() if issubclass(model, HistoricalChanges)}


@dataclass(frozen=True)
class ModelNames:
    """Which names in a receiver chain point at which models, and which are audited."""

    by_class_name: dict[str, set[type]]
    by_manager_name: dict[str, set[type]]
    audited: frozenset[type]

    @classmethod
    def from_registry(cls) -> "ModelNames":
        by_class_name: dict[str, set[type]] = {}
        by_manager_name: dict[str, set[type]] = {}
        for model in apps.get_models():
            by_class_name.setdefault(model.__name__, set()).add(model)
        history_models = _history_models()
        for model in apps.get_models():
            if model in history_models:
                continue
            for relation in model._meta.related_objects:
                # Reverse managers (`meeting.chairs`, `task_set`) and reverse many-to-many.
                name = relation.get_accessor_name()
                related = relation.related_model
                assert isinstance(related, type), "'self' is resolved once the apps are ready"
                if name and related not in history_models:
                    by_manager_name.setdefault(name, set()).add(related)
            for field in model._meta.many_to_many:
                assert isinstance(field.related_model, type)
                by_manager_name.setdefault(field.name, set()).add(field.related_model)
        return cls(by_class_name, by_manager_name, frozenset(registered_models.values()))


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}"


def _chain(node: ast.expr) -> list[tuple[str, str]]:
    """The receiver chain from its root, as (kind, name): ("name"|"attr"|"call", …)."""
    links: list[tuple[str, str]] = []
    while True:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                links.append(("call", func.attr))
                node = func.value
            elif isinstance(func, ast.Name):
                links.append(("call", func.id))
                break
            else:
                break
        elif isinstance(node, ast.Attribute):
            links.append(("attr", node.attr))
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            links.append(("name", node.id))
            break
        else:
            break
    return list(reversed(links))


def _models_of(chain: list[tuple[str, str]], names: ModelNames) -> set[type] | None:
    """The models a manager/queryset chain is over, or None when it cannot be told."""
    for position, (kind, name) in enumerate(chain):
        if kind == "attr" and name == "objects" and position > 0:
            owner_kind, owner = chain[position - 1]
            if owner_kind in ("name", "attr") and owner in names.by_class_name:
                return names.by_class_name[owner]
            return None
        if kind == "attr" and name in names.by_manager_name:
            return names.by_manager_name[name]
    return None


def _is_queryset_like(chain: list[tuple[str, str]], names: ModelNames) -> bool:
    for kind, name in chain:
        if kind == "attr" and (name == "objects" or name.endswith("_set")):
            return True
        if kind == "attr" and name in names.by_manager_name:
            return True
        if kind == "call" and name in QUERYSET_METHODS:
            return True
    kind, name = chain[0] if chain else ("", "")
    return kind == "name" and (name in QUERYSET_NAMES or name.endswith(("_qs", "_queryset")))


def unaudited_writes(source: str, path: str, names: ModelNames) -> list[Finding]:
    """Calls that would write an audited model without a history row.

    The heuristic, kept precise so that `dict.update()` and `set.update()` pass:

    - `cursor(...)` or `x.cursor(...)`: raw SQL; always reported, whatever the table.
    - `.bulk_create(`, `.bulk_update(`, `.raw(`: only managers and querysets have them;
      reported unless the chain is known to be over models that are not audited.
    - `.update(`: reported only when the receiver chain is a manager or queryset, i.e. it
      goes through `.objects`, a queryset method (`.filter(`, `.exclude(`, `.all(`,
      `.select_for_update(`, …), a `*_set` or related-manager attribute of a project model
      (`meeting.chairs`, `user.tasks_led`, `task.outcomes`), or starts from a variable
      named `queryset`, `qs`, `*_qs`, `*_queryset`; and again not when the chain is known to be over
      unaudited models only (e.g. `Reminder.objects.filter(…).update(…)` as a claim).
    - A chain whose models cannot be told (`self.model.objects`, `queryset`) is reported:
      say which model it is by writing the code through `save_validated` instead.
    """
    findings = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "cursor") or (
            isinstance(func, ast.Attribute) and func.attr == "cursor"
        ):
            findings.append(Finding(path, node.lineno, "cursor()"))
            continue
        if not isinstance(func, ast.Attribute) or func.attr not in BULK_WRITES | {"update"}:
            continue
        chain = _chain(func.value)
        if func.attr == "update" and not _is_queryset_like(chain, names):
            continue
        models = _models_of(chain, names)
        if models is not None and not (models & names.audited):
            continue
        findings.append(Finding(path, node.lineno, f".{func.attr}()"))
    return findings


def application_files() -> list[Path]:
    files = []
    for package in APPLICATION_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts or path.name.startswith("test_"):
                continue
            files.append(path)
    return files


# Raw SQL the scan cannot read, each over tables without history, said here by hand: the
# reminder ledger's set-based insert and the sweep's record of what it planned from.
RAW_SQL_OVER_UNAUDITED = {
    "workinggroups/reminders/planning.py": (Reminder,),
    "workinggroups/reminders/changes.py": (ReminderSweepInput,),
}


def test_raw_sql_is_only_where_it_writes_tables_without_history():
    names = ModelNames.from_registry()
    for path, models in RAW_SQL_OVER_UNAUDITED.items():
        assert not set(models) & names.audited, path
        text = (ROOT / path).read_text(encoding="utf-8")
        assert all(model._meta.db_table in text or model.__name__ in text for model in models)


def test_audited_models_are_never_written_around_save_in_application_code():
    names = ModelNames.from_registry()
    files = application_files()
    assert ROOT / "workinggroups" / "services.py" in files

    findings = [
        finding
        for path in files
        for finding in unaudited_writes(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), names
        )
        if not (finding.call == "cursor()" and finding.path in RAW_SQL_OVER_UNAUDITED)
    ]

    assert not findings, (
        "Audited models written without a history row (use save_validated):\n"
        + "\n".join(str(f) for f in findings)
    )


def test_the_audited_models_are_the_ones_with_history():
    names = ModelNames.from_registry()

    assert {m.__name__ for m in names.audited} >= {
        "Member",
        "Forum",
        "ForumMembership",
        "Meeting",
        "Chair",
        "Attendance",
        "Hosting",
        "Profile",
        "OutcomeDocument",
        "Outcome",
        "OutcomeLink",
        "WorkingGroup",
        "WorkingGroupMembership",
        "Task",
    }
    assert {"TaskUpdate", "HostingChange"}.isdisjoint(m.__name__ for m in names.audited)


FLAGGED = [
    "Task.objects.filter(pk=1).update(status='ratified')",
    "Task.objects.update(progress=100)",
    "Outcome.objects.bulk_create(outcomes)",
    "Outcome.objects.bulk_update(outcomes, ['position'])",
    "Meeting.objects.raw('SELECT * FROM forums_meeting')",
    "meeting.chairs.all().update(role='chair')",
    "meeting.chairs.update(role='chair')",
    "document.outcomes.filter(status='active').update(status='elapsed')",
    "group.task_set.update(status='withdrawn')",
    "user.tasks_led.update(status='withdrawn')",
    "outcome.responsible.update(name='x')",
    "queryset.update(status='withdrawn')",
    "self.get_queryset(request).update(status='withdrawn')",
    "open_qs.update(status='withdrawn')",
    "self.model.objects.filter(pk=1).update(status='withdrawn')",
    "Task.objects.select_for_update().filter(pk=1).update(progress=1)",
    "connection.cursor()",
    "connections['default'].cursor()",
]
NOT_FLAGGED = [
    "context.update(extra_context)",
    "kwargs.update({'status': 'ready'})",
    "self.fields.update(fields)",
    "seen.update(numbers)",
    "defaults.update(row)",
    "numbers_set.update(more)",
    "user.groups.update(name='x')",
    "TaskUpdate.objects.filter(task=task).update(note='')",
    "task.updates.filter(pk=1).update(note='')",
    "HostingChange.objects.bulk_create(changes)",
    "task.save(update_fields=['status'])",
    "save_validated(task, actor=actor)",
]


@pytest.mark.parametrize("line", FLAGGED)
def test_the_audit_scan_reports_writes_that_skip_history(line):
    (finding,) = unaudited_writes(line, "app/services.py", ModelNames.from_registry())

    assert (finding.path, finding.line) == ("app/services.py", 1)


@pytest.mark.parametrize("line", NOT_FLAGGED)
def test_the_audit_scan_leaves_dicts_sets_and_unaudited_models_alone(line):
    assert unaudited_writes(line, "app/services.py", ModelNames.from_registry()) == []


def test_the_audit_scan_names_the_line():
    source = "x = {}\nx.update(a=1)\n\nTask.objects.filter(pk=1).update(progress=5)\n"

    findings = unaudited_writes(source, "workinggroups/jobs.py", ModelNames.from_registry())

    assert [str(f) for f in findings] == ["workinggroups/jobs.py:4: .update()"]


# --- service writes carry the actor on the history row ------------------------------------------


@pytest.mark.django_db
def test_a_service_write_puts_the_actor_on_every_history_row(actor):
    forum = ForumFactory.create()
    fifth = meeting_create(
        actor=actor,
        forum=forum,
        sequence=5,
        start_date=datetime.date(2023, 8, 23),
        chairs=[ChairSeat(member=MemberFactory.create())],
    )
    sixth = meeting_create(actor=actor, forum=forum, sequence=6)
    document = outcome_document_record(
        actor=actor,
        meeting=fifth,
        kind="outcome_statement",
        title="Koror Outcome",
        outcomes=[OutcomeSpec(number="16", text="…", responsible=[MemberFactory.create()])],
    )
    hosting = hosting_record(
        actor=actor, meeting=sixth, member=MemberFactory.create(), status=Hosting.Status.PLANNED
    )
    hosting_change_status(actor=actor, hosting=hosting, status=Hosting.Status.CONFIRMED)
    group = working_group_establish(
        actor=actor, name="IWG", established_by=fifth, reports_to=sixth, mandate="…"
    )
    task = task_add(
        actor=actor, working_group=group, title="Draft", outcomes=[document.outcomes.get()]
    )
    task_update_status(actor=actor, task=task, status=Task.Status.IN_PROGRESS)

    for model, count in [
        (type(fifth), 2),
        (Chair, 1),
        (type(document), 1),
        (type(document.outcomes.get()), None),
        (Hosting, 2),
        (type(group), 1),
        (Task, None),
    ]:
        rows = list(model.history.all())
        assert rows, model
        if count is not None:
            assert len(rows) == count, model
        assert {row.history_user for row in rows} == {actor}, model


@pytest.mark.django_db
def test_the_history_row_names_who_saved_and_why():
    someone, officer = UserFactory.create(), UserFactory.create()
    meeting = MeetingFactory.create()
    meeting.venue = "Port Moresby"
    save_validated(meeting, actor=officer, reason="Venue announced.")
    meeting.venue = "Alotau"
    save_validated(meeting, actor=someone)

    newest, announced = meeting.history.order_by("-history_id")[:2]

    assert (announced.venue, announced.history_user, announced.history_change_reason) == (
        "Port Moresby",
        officer,
        "Venue announced.",
    )
    assert (newest.venue, newest.history_user, newest.history_change_reason) == (
        "Alotau",
        someone,
        None,
    )
