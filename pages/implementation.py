"""A forum's state of implementation: its active outcomes and where each stands.

The figures are workinggroups.implementation's (the one home of the rule); this module
only chooses the rows (the forum's active outcomes the reader may read, filtered) and
writes them as CSV. The page and the CSV read the same rows, so a spreadsheet made from
the page's address says what the page said.

The figures are read for the rows shown (a page of 100, or all for the CSV) in one pass
over their work (with_standings). Filtered by state, every row is read that way and the
filter applied here: one pass over the forum's work, cheaper than asking SQL for the
state of each outcome with a subquery a figure.
"""

import csv
import datetime
import io
from functools import cached_property

from django.utils import timezone

from forums.models import Forum
from outcomes.models import Outcome
from workinggroups.csv_exchange import neutralise
from workinggroups.implementation import with_standings

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
    outcomes = outcomes.select_related("document__meeting__forum").order_by(
        "-document__meeting__sequence", "document__code", "position"
    )
    return ImplementationRows(outcomes, reader, now, state=filters.get("state") or None)


class ImplementationRows:
    """The rows, each with its standing read only once the rows are asked for: a page of
    them (the Paginator counts, then slices) or all of them (the CSV)."""

    def __init__(self, outcomes, reader, now: datetime.datetime, *, state: str | None):
        self.outcomes, self.reader, self.now, self.state = outcomes, reader, now, state

    @cached_property
    def _in_state(self) -> list:
        """Every row in the state asked for (the state is known only once read)."""
        rows = with_standings(self.outcomes, self.reader, self.now)
        return [row for row in rows if row.implementation == self.state]

    def count(self) -> int:
        return len(self._in_state) if self.state else self.outcomes.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        if self.state:
            return self._in_state[index]
        return with_standings(self.outcomes[index], self.reader, self.now)

    def __iter__(self):
        if self.state:
            return iter(self._in_state)
        return iter(with_standings(self.outcomes, self.reader, self.now))


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
