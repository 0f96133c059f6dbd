"""A forum's state of implementation: its active outcomes and where each stands.

The figures are workinggroups.implementation's (the one home of the rule); this module
only chooses the rows (the forum's active outcomes the reader may read, filtered) and
writes them as CSV. The page and the CSV read the same rows, so a spreadsheet made from
the page's address says what the page said.
"""

import csv
import datetime
import io

from django.utils import timezone

from forums.models import Forum
from outcomes.models import Outcome
from workinggroups.csv_exchange import neutralise
from workinggroups.implementation import with_implementation

CSV_COLUMNS = (
    "meeting",
    "citation_code",
    "kind",
    "state",
    "progress",
    "open_work",
    "total_work",
    "stalled_work",
    "last_movement",
    "text",
)


def implementation_rows(*, forum: Forum, reader, filters: dict, now: datetime.datetime):
    """The forum's active outcomes `reader` may read, with where each stands; newest
    meeting first, each meeting's outcomes in document order."""
    outcomes = Outcome.objects.visible_to(reader).filter(
        document__meeting__forum=forum, status=Outcome.Status.ACTIVE
    )
    if filters.get("meeting"):
        outcomes = outcomes.filter(document__meeting__sequence=filters["meeting"])
    if filters.get("kind"):
        outcomes = outcomes.filter(kind=filters["kind"])
    rows = with_implementation(outcomes, reader, now)
    if filters.get("state"):
        rows = rows.filter(implementation=filters["state"])
    return rows.select_related("document__meeting__forum").order_by(
        "-document__meeting__sequence", "document__code", "position"
    )


def export_csv(rows) -> str:
    """The rows as CSV text (RFC 4180 line ends; formula cells neutralised, as the tasks'
    export does). Machine values for kind and state, so a sheet reads the same in any
    language; the last movement is a day in the reader's time zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        moved = timezone.localdate(row.last_moved_at).isoformat() if row.last_moved_at else ""
        cells = [
            str(row.document.meeting),
            row.citation_code,
            row.kind,
            row.implementation,
            "" if row.progress is None else str(row.progress),
            str(row.work_open),
            str(row.work_total),
            str(row.work_stalled),
            moved,
            row.text,
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return out.getvalue()
