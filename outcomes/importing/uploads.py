"""Uploads bounded while they arrive: a file over the statement's limit is never held whole.

Every request's files pass through `BoundedUploadHandler` (FILE_UPLOAD_HANDLERS in
config/settings/base.py); the statement import installs it again, before anything reads
the body, and asks `oversized_fields` which files it dropped.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

from outcomes.importing.statement import MAX_UPLOAD_BYTES


class BoundedUploadHandler(FileUploadHandler):
    """Drops an uploaded file as soon as it passes MAX_UPLOAD_BYTES, chunk by chunk.

    Installed first, before Django's memory and temporary-file handlers: a larger file is
    never held in memory or on disk, and the rest of the form still arrives, so the view
    can say what was wrong next to what the officer typed (`oversized_fields`).
    """

    def __init__(self, request=None, limit: int = MAX_UPLOAD_BYTES):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.oversized: set[str] = set()

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversized.add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def bound_uploads(request) -> None:
    """Install the bound; call before anything reads the request's body."""
    request.upload_handlers = [BoundedUploadHandler(request), *request.upload_handlers]


def oversized_fields(request) -> set[str]:
    """The file fields `BoundedUploadHandler` dropped from this request."""
    names: set[str] = set()
    for handler in request.upload_handlers:
        if isinstance(handler, BoundedUploadHandler):
            names |= handler.oversized
    return names


def too_big_error() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(limit)s MB; upload the statement alone.")
        % {"limit": MAX_UPLOAD_BYTES // 1_000_000},
        code="too_big",
    )
