"""The API's JSON, written by orjson; apart from base.py because DRF imports renderers early.

The bodies are those of DRF's JSONRenderer with our settings (compact, UTF-8 not
escaped), byte for byte: what orjson does not write itself (dates and times, decimals,
lazy translations, querysets) goes through DRF's own encoder, which decides their
format; U+2028 and U+2029 are escaped as DRF does, for JavaScript. A body asked for with
an indent (the browsable API's), or one orjson refuses (a dict key that is not text,
which orjson's option for them would make several times slower on every body), is left
to DRF's renderer.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Dates and times passed through to DRF's encoder: orjson's own RFC 3339 keeps the
# microseconds and writes "+00:00" where DRF writes milliseconds and "Z".
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
_drf_default = JSONEncoder().default

LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_drf_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in body:  # the first two bytes of both separators in UTF-8
            body = body.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
        return body
