"""The API's reads of TLP:RED items, logged where every viewset fetches what it shows."""

from typing import TYPE_CHECKING

from readlog.models import Channel
from readlog.services import record_reads, record_rows

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _GenericAPIView = GenericAPIView
else:
    _GenericAPIView = object


class RecordsRedReads(_GenericAPIView):
    """Logs the item `get_object()` finds and each row of a page the list returns.

    Placed before the viewset's other classes, it sees the rows already fetched: the
    RED ones are picked out in Python, with no query of its own.
    """

    # An action that sends the item as another channel's file names that channel.
    read_channels: dict[str, Channel] = {}

    def get_object(self):
        item = super().get_object()
        channel = self.read_channels.get(getattr(self, "action", None) or "", Channel.API_DETAIL)
        record_reads(reader=self.request.user, channel=channel, items=[item])
        return item

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page:
            reader = self.request.user
            if isinstance(page[0], dict):
                model = queryset.model
                record_rows(reader=reader, channel=Channel.API_LIST, model=model, rows=page)
            else:
                record_reads(reader=reader, channel=Channel.API_LIST, items=page)
        return page
