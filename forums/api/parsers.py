"""The API's one body parser; apart from base.py because DRF imports parsers early.

DRF's JSONParser reads the request stream itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
(enforced only by `request.body`) never applies; and Python's decoder raises
RecursionError on deep nesting and accepts lone UTF-16 surrogates ("\\ud800"), which no
database stores. Each would be a 500; here they are a 413 and 400s.
"""

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _first_unencodable(data) -> str | None:
    """A string (key or value) in parsed JSON that UTF-8 cannot encode, walked without recursion."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestDataTooBig(_("The request body is too large."))
            stream = io.BytesIO(body)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON parse error - nested too deeply.")) from error
        if _first_unencodable(data) is not None:
            raise ParseError(
                _("JSON parse error - a string holds half of a UTF-16 surrogate pair.")
            )
        return data
