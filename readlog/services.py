"""The one door into the read log: `record_reads(reader=…, channel=…, items=…)`.

Every channel that shows an item calls it with what it already fetched; the TLP:RED
ones are picked out here, in Python, so a read of nothing RED costs no query at all.
Inside a request (ReadLogMiddleware) or a job (`collecting_reads()`), the reads are
gathered and written at the end as one INSERT of all the rows, however many the
request read: the log's cost per request stays constant, not one insert per row.
Outside both, a call writes its rows at once, so a read is never lost.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils import timezone

from forums.tlp import TLP
from readlog.models import Channel, RedRead

# (reader id, channel, item kind, item id): a set, so one item read twice in a request
# by the same channel is one row.
ReadKey = tuple[int | None, str, str, int]

_collected: ContextVar[set[ReadKey] | None] = ContextVar("red_reads", default=None)


def _reader_id(reader) -> int | None:
    return reader.pk if reader is not None and reader.is_authenticated else None


def record_reads(*, reader, channel: Channel, items: Iterable[models.Model]) -> None:
    """Log each TLP:RED item among `items` (model instances with a `tlp`) as read."""
    _add({(_reader_id(reader), channel, item._meta.label_lower, item.pk) for item in _red(items)})


def record_rows(
    *, reader, channel: Channel, model: type[models.Model], rows: Iterable[Mapping[str, Any]]
) -> None:
    """The same for rows read as values (`id` and `tlp` keys) rather than as models."""
    kind = model._meta.label_lower
    reader_id = _reader_id(reader)
    _add({(reader_id, channel, kind, row["id"]) for row in rows if row["tlp"] == TLP.RED})


def _red(items: Iterable[models.Model]) -> Iterator[models.Model]:
    return (item for item in items if getattr(item, "tlp", None) == TLP.RED)


def _add(reads: set[ReadKey]) -> None:
    if not reads:
        return
    collected = _collected.get()
    if collected is None:
        _write(reads)
    else:
        collected |= reads


@contextmanager
def collecting_reads() -> Iterator[None]:
    """Gather the reads made inside, and write them as one INSERT on the way out."""
    token = _collected.set(set())
    try:
        yield
    finally:
        collected = _collected.get()
        _collected.reset(token)
        if collected:
            _write(collected)


def _write(reads: set[ReadKey]) -> None:
    at = timezone.now()
    RedRead.objects.bulk_create(
        RedRead(reader_id=reader_id, at=at, channel=channel, item_kind=kind, item_id=item_id)
        for reader_id, channel, kind, item_id in sorted(reads, key=str)
    )
