"""A working group's tasks as CSV, and progress updates read back from the same columns.

The export is a spreadsheet a member edits offline: they change `status`, `progress` and
`note`, and send it back. The import is two steps, both on the same parse: a preview that
writes nothing and says, row by row, what would change and what is wrong; then an apply
that refuses the whole file if any row is wrong, and otherwise posts every change through
`task_update_status` (the one door) in one transaction, so nothing is ever half applied.

Only `task_id`, `version`, `status`, `progress` and `note` are read back; the other
columns are there for the reader and are ignored on import (titles, leads and dates are
edited by the group's lead, not by a progress update).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from forums.audit import PreconditionFailed
from outcomes.models import Outcome
from workinggroups import policy
from workinggroups.models import Task, TaskUpdate, WorkingGroup
from workinggroups.services import task_update_status

COLUMNS = (
    "task_id",
    "version",
    "title",
    "status",
    "progress",
    "due_on",
    "lead",
    "outcomes",
    "latest_update",
    "note",
)
MAX_ROWS = 2_000
MAX_BYTES = 1_000_000  # 1 MB of UTF-8 text

# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection");
# the export prefixes it with one quote, which the import strips back.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: str) -> str:
    return QUOTE + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo `neutralise`: only a quote in front of a formula start is ours to remove."""
    if value.startswith(QUOTE) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


# --- export --------------------------------------------------------------------------------


def _tasks_for_export(*, group: WorkingGroup, user):
    """The group's tasks this person sees, each with only the outcomes and update they see."""
    latest_visible_update = TaskUpdate.objects.visible_to(user).latest_per_task()
    return (
        Task.objects.visible_to(user)
        .with_changes_seen_by(user)
        .filter(working_group=group)
        .select_related("lead")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.visible_to(user).order_by("citation_code"),
                to_attr="visible_outcomes",
            ),
            Prefetch("updates", queryset=latest_visible_update, to_attr="latest_updates"),
        )
        .order_by("pk")
    )


def _describe(update: TaskUpdate | None) -> str:
    if update is None:
        return ""
    day = timezone.localdate(update.created_at).isoformat()
    if update.note:
        return f"{day}: {update.note}"
    if update.changes_status:
        return f"{day}: {update.get_status_from_display()} → {update.get_status_to_display()}"
    return f"{day}: " + _("progress %(progress)s%%") % {"progress": update.progress}


def export_tasks(*, group: WorkingGroup, user) -> str:
    """CSV text of the group's tasks as far as `user` may see them, in the import's columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(COLUMNS)
    for task in _tasks_for_export(group=group, user=user):
        latest = task.latest_updates[0] if task.latest_updates else None
        cells = [
            str(task.pk),
            str(task.seen_version),
            task.title,
            task.status,
            str(task.progress),
            task.due_on.isoformat() if task.due_on else "",
            task.lead.get_username() if task.lead else "",
            " ".join(outcome.citation_code for outcome in task.visible_outcomes),
            _describe(latest),
            "",  # the member's note, for the import
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return out.getvalue()


# --- import: parse and preview ---------------------------------------------------------------


@dataclass(frozen=True)
class RowChange:
    """One row that changes its task (or, in `Preview.unchanged`, one that does not)."""

    row: int  # the row number a spreadsheet shows: the header is row 1
    task: Task
    version: int
    status_from: str
    status_to: str
    progress_from: int
    progress_to: int
    note: str

    @property
    def moves_status(self) -> bool:
        return self.status_from != self.status_to

    @property
    def status_from_label(self) -> str:
        return str(Task.Status(self.status_from).label)

    @property
    def status_to_label(self) -> str:
        return str(Task.Status(self.status_to).label)


@dataclass(frozen=True)
class RowError:
    row: int
    task_id: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Preview:
    changes: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _check_may_post(*, group: WorkingGroup, user) -> None:
    if not policy.may_post_updates_in(user, group.pk):
        raise PermissionDenied(
            _("Only current members of %(group)s and the secretariat may import progress updates.")
            % {"group": group}
        )


def _check_size(text: str) -> None:
    if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than 1 MB; split it into smaller files."), code="too_big"
        )


def _sniff_delimiter(header_line: str) -> str:
    """Comma, or the semicolon or tab a spreadsheet in French (or another locale) saves."""
    best, found = ",", 0
    for delimiter in (",", ";", "\t"):
        names = {cell.strip() for cell in header_line.split(delimiter)}
        known = len(names & set(COLUMNS))
        if known > found:
            best, found = delimiter, known
    return best


def _read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The data rows, numbered as a spreadsheet numbers them, with the one-quote guard removed."""
    records = _read_records(text)
    header = [cell.strip() for cell in records[0]]
    _check_header(header)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # the blank lines a spreadsheet leaves at the end
        cells = {name: restore(value) for name, value in zip(header, record, strict=False)}
        if len(record) > len(header):
            cells["__extra__"] = "1"
        rows.append((number, cells))
    return rows


def _read_records(text: str) -> list[list[str]]:
    """The file's records, the header first; refused when too big, empty or not CSV."""
    _check_size(text)
    text = text.removeprefix("\ufeff")  # a spreadsheet's "CSV UTF-8" starts with a BOM
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    delimiter = _sniff_delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > MAX_ROWS + 1:
                raise ValidationError(
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": MAX_ROWS},
                    code="too_many_rows",
                )
    except csv.Error as error:
        raise ValidationError(
            _("This is not a readable CSV file (line %(line)s: %(error)s).")
            % {"line": reader.line_num, "error": error},
            code="not_csv",
        ) from error
    return records


def _check_header(header: list[str]) -> None:
    """The header must be exactly the export's columns, each once."""
    missing = [name for name in COLUMNS if name not in header]
    extra = [name for name in header if name not in COLUMNS]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if extra:
        problems.append(
            _("unexpected columns: %(names)s") % {"names": ", ".join(repr(n) for n in extra)}
        )
    if repeated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(repeated)})
    if problems:
        raise ValidationError(
            _("The header row must be exactly the export's columns (%(columns)s); %(problems)s.")
            % {"columns": ", ".join(COLUMNS), "problems": "; ".join(problems)},
            code="columns",
        )


def _parse_status(value: str) -> str | None:
    """A status code as exported, or its label in English or the reader's language."""
    wanted = value.strip().casefold()
    for code, label in Task.Status.choices:
        if wanted == code:
            return code
        with override("en"):
            english = str(label)
        if wanted in (str(label).casefold(), english.casefold()):
            return code
    return None


def _parse_whole_number(value: str) -> int | None:
    value = value.strip().removesuffix("%").strip()
    if not value.isascii() or not value.isdigit():
        return None
    return int(value)


def _preview_row(number: int, cells: dict[str, str], task: Task) -> RowChange | RowError:
    def bad(message: str) -> RowError:
        return RowError(row=number, task_id=str(task.pk), message=message)

    if "__extra__" in cells:
        return bad(_("the row has more cells than the header has columns."))
    version = _parse_whole_number(cells.get("version") or "")
    if version is None:
        return bad(_("“version” must be the whole number from the export."))
    if version != task.seen_version:
        return bad(
            _(
                "task %(task)s was changed by someone since your export (your version "
                "%(yours)s, now %(now)s); export again and re-enter this row."
            )
            % {"task": task.pk, "yours": version, "now": task.seen_version}
        )
    raw_status = (cells.get("status") or "").strip()
    status = _parse_status(raw_status) if raw_status else task.status
    if status is None:
        return bad(
            _("“%(status)s” is not a status; use one of: %(statuses)s.")
            % {"status": raw_status, "statuses": ", ".join(Task.Status.values)}
        )
    raw_progress = cells.get("progress") or ""
    progress = _parse_whole_number(raw_progress)
    if progress is None or progress > 100:
        return bad(
            _("progress “%(progress)s” is not a whole number from 0 to 100.")
            % {"progress": raw_progress}
        )
    note = (cells.get("note") or "").strip()
    if (status, progress, note) == (task.status, task.progress, ""):
        status_to, progress_to = task.status, task.progress  # an unchanged row
    else:
        try:
            # The service's own rule, so the preview refuses exactly what the apply would.
            status_to, progress_to = task.checked_update(
                status=status, progress=None if progress == task.progress else progress, note=note
            )
        except ValidationError as error:
            return bad(" ".join(error.messages))
    return RowChange(
        row=number,
        task=task,
        version=version,
        status_from=task.status,
        status_to=status_to,
        progress_from=task.progress,
        progress_to=progress_to,
        note=note,
    )


def preview_import(*, group: WorkingGroup, user, text: str) -> Preview:
    """What importing `text` would do, row by row; writes nothing.

    Raises PermissionDenied if `user` may not post updates in `group`, ValidationError if
    the file as a whole is unusable (too big, unreadable, wrong columns).
    """
    _check_may_post(group=group, user=user)
    rows = _read_rows(text)
    ids = {
        int(cells["task_id"].strip())
        for _number, cells in rows
        if _parse_whole_number(cells.get("task_id") or "") is not None
    }
    # One query; a task this person may not see is as absent as one that does not exist,
    # so the file cannot be used to learn what lies beyond their clearance.
    visible = {
        task.pk: task
        for task in Task.objects.visible_to(user)
        .with_changes_seen_by(user)
        .filter(pk__in=ids)
        .select_related("working_group")
    }
    preview = Preview()
    first_row_of: dict[int, int] = {}
    for number, cells in rows:
        raw_id = (cells.get("task_id") or "").strip()
        found = _task_of_row(raw_id, visible, group=group, first_row_of=first_row_of)
        if isinstance(found, str):
            preview.errors.append(RowError(row=number, task_id=raw_id, message=found))
            continue
        first_row_of[found.pk] = number
        result = _preview_row(number, cells, found)
        if isinstance(result, RowError):
            preview.errors.append(result)
        elif result.moves_status or result.progress_to != result.progress_from or result.note:
            preview.changes.append(result)
        else:
            preview.unchanged.append(result)
    return preview


def _task_of_row(
    raw_id: str, visible: dict[int, Task], *, group: WorkingGroup, first_row_of: dict[int, int]
) -> Task | str:
    """The task a row is about, or why the row names none this person may update here."""
    task_id = _parse_whole_number(raw_id)
    if task_id is None:
        return _("“task_id” must be a task number from the export.")
    task = visible.get(task_id)
    if task is None:
        return _("there is no task %(task)s that you may see.") % {"task": task_id}
    if task.working_group_id != group.pk:
        return _("task %(task)s belongs to another working group (%(group)s).") % {
            "task": task_id,
            "group": task.working_group,
        }
    if task_id in first_row_of:
        return _("task %(task)s is already on row %(row)s; give each task one row.") % {
            "task": task_id,
            "row": first_row_of[task_id],
        }
    return task


# --- import: apply ---------------------------------------------------------------------------


def _errors(errors: list[RowError]) -> ValidationError:
    return ValidationError(
        [_("Nothing was imported.")] + [str(error) for error in errors], code="bad_rows"
    )


def apply_import(*, group: WorkingGroup, user, text: str) -> list[TaskUpdate]:
    """Post every changing row as a task update, all or none; returns the updates made.

    Each row's `version` is the task's expected version, checked under the row lock, so
    a change made by someone between the preview and the apply refuses the file.
    """
    preview = preview_import(group=group, user=user, text=text)
    if preview.errors:
        raise _errors(preview.errors)
    failed: list[RowError] = []
    with transaction.atomic():
        updates = []
        for change in preview.changes:
            try:
                updates.append(
                    task_update_status(
                        actor=user,
                        task=change.task,
                        status=change.status_to if change.moves_status else None,
                        progress=(
                            change.progress_to
                            if change.progress_to != change.progress_from
                            else None
                        ),
                        note=change.note,
                        expected_version=change.version,
                    )
                )
            except PreconditionFailed:
                # The service's savepoint has rolled this row back; carry on to report
                # every failing row, then roll everything back together below.
                failed.append(
                    RowError(
                        row=change.row,
                        task_id=str(change.task.pk),
                        message=_(
                            "task %(task)s was changed by someone since your export; "
                            "export again and re-enter this row."
                        )
                        % {"task": change.task.pk},
                    )
                )
            except ValidationError as error:
                failed.append(
                    RowError(
                        row=change.row,
                        task_id=str(change.task.pk),
                        message=" ".join(error.messages),
                    )
                )
        if failed:
            raise _errors(failed)  # leaving the atomic block by an exception undoes every row
    return updates
