"""What every Talanoa API resource shares: errors, paging, ordering, ETags, permissions.

Lives in `forums`, the app every other one builds on, so that `outcomes` and
`workinggroups` use it without importing `config`.
"""

import datetime
import functools
import json
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import Http404, QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from django_filters.utils import translate_validation
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.filters import BaseFilterBackend
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from forums.api.permissions import ReadsForAll
from forums.audit import PreconditionFailed
from forums.tlp import TLP

# Primary keys are bigints; a bigger number in a path or body is "not found", not a 500.
MAX_ID = 2**63 - 1
ID_PATTERN = r"[0-9]{1,18}"


# --- errors -----------------------------------------------------------------------------


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _(
        "Send If-Match with the ETag you last read: edits without it could overwrite "
        "someone else's change."
    )
    default_code = "precondition_required"


class PreconditionFailedError(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Someone changed this since you read it; read it again, then retry.")
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def exception_handler(exc, context):
    """Every 4xx is JSON: {"detail": …} or field → messages; domain errors mapped here."""
    # A 412 carries the current ETag, so the client knows which version to read again.
    current_version = exc.current_version if isinstance(exc, PreconditionFailed) else None
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    elif isinstance(exc, PreconditionFailed):
        exc = PreconditionFailedError(
            detail=_("%(detail)s (now version %(version)s)")
            % {"detail": PreconditionFailedError.default_detail, "version": exc.current_version}
        )
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # A policy's refusal says why (forums/policy.py); Django's own carries no message.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and current_version is not None:
        response["ETag"] = f'"{current_version}"'
    return response


# --- ETags ------------------------------------------------------------------------------

_ETAG = re.compile(r'^(?:W/)?"([0-9]{1,18})"$')


def expected_version(request) -> int | None:
    """The version named by If-Match; 428 if absent, None for `*` (any current version).

    A value that names no version of ours can never match: -1 makes the service refuse.
    """
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    header = header.strip()
    if header == "*":
        return None
    match = _ETAG.match(header.split(",")[0].strip())
    return int(match.group(1)) if match else -1


# --- fields -----------------------------------------------------------------------------


class TLPField(serializers.ChoiceField):
    """TLP labels as their lowercase names on the wire: clear, green, amber, red."""

    def __init__(self, **kwargs):
        super().__init__(choices=[label.name.lower() for label in TLP], **kwargs)

    def to_representation(self, value):
        return TLP(value).name.lower()

    def to_internal_value(self, data):
        return TLP[super().to_internal_value(data).upper()].value


@extend_schema_field(OpenApiTypes.INT)
class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Refuses ids beyond a bigint before asking the database (PostgreSQL would error).

    Digits as text are read as the id, for forms (an upload); a JSON body must send a
    number (StrictSerializer)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not data.isdigit():
            self.fail("incorrect_type", data_type="str")
        if not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


class CalledField(serializers.CharField):
    """Read-only text a model method returns (`source="__str__"`, `"get_full_name"`).

    DRF calls a callable source only after inspecting its signature, for every row of
    every list; this calls it directly.
    """

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source)()


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 150})
class TextSlugRelatedField(serializers.SlugRelatedField):
    """An object named by text (a username): a NUL byte is refused before the query,
    which PostgreSQL would fail with an error instead of finding nothing."""

    default_error_messages = {
        "null_characters": _("Null characters are not allowed."),
        "blank": _("This field may not be blank."),
    }

    def run_validation(self, data=serializers.empty):
        # DRF reads "" as null for related fields; the schema says a name or null.
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)


# The JSON type each kind of field takes, as the schema declares it. DRF would read `0` as
# the text "0", `"true"` as true and `"7"` as 7; a client relying on that would break on
# any other implementation of the schema, so each is refused instead.
JSON_TYPES: list[tuple[type, type, str | Promise]] = [
    (serializers.BooleanField, bool, _("a boolean")),
    (serializers.IntegerField, int, _("a whole number")),
    (serializers.PrimaryKeyRelatedField, int, _("a whole number")),
    (serializers.ManyRelatedField, list, _("a list")),
    (serializers.ListField, list, _("a list")),
    (serializers.ListSerializer, list, _("a list")),
    (serializers.Serializer, dict, _("an object")),
    (serializers.CharField, str, _("a string")),
    (serializers.ChoiceField, str, _("a string")),
    (serializers.DateField, str, _("a string")),
    (serializers.SlugRelatedField, str, _("a string")),
]


def json_type_error(field, value) -> str | None:
    """Why `value` is not of the JSON type `field` takes, or None if it is."""
    if value is None:
        return None  # the field's own allow_null decides
    for kind, json_type, name in JSON_TYPES:
        if isinstance(field, kind):
            wrong = not isinstance(value, json_type) or (
                json_type is int and isinstance(value, bool)
            )
            if wrong:
                return _("Send %(type)s.") % {"type": name}
            break
    # The items of a list of ids or of texts: `["7"]` is refused as `"7"` would be.
    child = getattr(field, "child_relation", None) or getattr(field, "child", None)
    if isinstance(value, list) and isinstance(child, serializers.Field):
        return next(filter(None, (json_type_error(child, item) for item in value)), None)
    return None


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, and values not of the JSON type the schema says,
    instead of silently dropping or converting them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
            # A form (an upload's multipart body) carries only text: its types are DRF's.
            if not isinstance(data, QueryDict):
                self._refuse_wrong_json_types(data)
        return super().to_internal_value(data)

    def _refuse_wrong_json_types(self, data: dict) -> None:
        wrong = {
            name: [error]
            for name, field in self.fields.items()
            if name in data and (error := json_type_error(field, data[name]))
        }
        if wrong:
            raise serializers.ValidationError(wrong)


class StrictSerializerSchema(OpenApiSerializerExtension):
    """The schema says what StrictSerializer does: no properties beyond the declared ones."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema


class TokenSchemeDescription(OpenApiAuthenticationExtension):
    """The token scheme as forums.api.authentication checks it: where a token comes from,
    how long it lasts, what ends it."""

    target_class = "forums.api.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1  # before drf-spectacular's own description of DRF's token class

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <token>`, with a token from POST /api/v1/auth/token/. A token works "
                f"for {settings.API_TOKEN_TTL_DAYS} days, until its owner revokes it (My "
                "settings) or the secretariat does, or until its owner's password changes."
            ),
        }


# --- paging and ordering ----------------------------------------------------------------


class BoundedPageSize:
    """`?page_size=` from 1 to 200; anything else is a 400 saying so, not the default."""

    page_size: int | None = 50
    page_size_query_param: str | None = "page_size"
    max_page_size: int | None = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class PageNumberPagination(BoundedPageSize, pagination.PageNumberPagination):
    pass


class CursorPagination(BoundedPageSize, pagination.CursorPagination):
    """Stable pages on long lists: a row added or removed never shifts the next page.

    Keyset paging on the whole ordering: the cursor holds the last row's values of every
    ordering field (each ordering ends in a unique column), and the next page is the rows
    after them, `WHERE (due_sort, id) > (…, …)`, which an index on the same columns
    answers directly. DRF's own cursor keeps only the first field and counts ties with an
    OFFSET: on many tasks sharing a few due dates that OFFSET grew with depth, and past
    DRF's `offset_cutoff` of ties pages repeated.
    """

    ordering = ("-id",)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = tuple(self.get_ordering(request, queryset, view))
        descending = {name.startswith("-") for name in self.ordering}
        if len(descending) != 1:
            raise ImproperlyConfigured("Keyset paging needs one direction for every field.")
        self.fields = [name.lstrip("-") for name in self.ordering]
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        # Walking backwards (a `previous` link) is walking the reversed order forwards.
        backwards = descending.pop() != reverse
        order = self.ordering if not reverse else pagination._reverse_ordering(self.ordering)
        queryset = queryset.order_by(*order)
        if self.cursor is not None and self.cursor.position is not None:
            position = self._parse_position(queryset, self.cursor.position)
            lookup = TupleLessThan if backwards else TupleGreaterThan
            queryset = queryset.filter(lookup(Tuple(*(F(name) for name in self.fields)), position))
        rows = list(queryset[: self.page_size + 1])
        self.page = rows[: self.page_size]
        more = len(rows) > self.page_size
        if reverse:
            self.page.reverse()
            self.has_previous, self.has_next = more, True
        else:
            self.has_next, self.has_previous = more, self.cursor is not None
        self.display_page_controls = self.has_previous or self.has_next
        return self.page

    def _parse_position(self, queryset, raw: str) -> list:
        """The cursor's values, each checked by its field: a bad cursor is a 404."""
        try:
            values = json.loads(raw)
        except ValueError:
            raise exceptions.NotFound(self.invalid_cursor_message) from None
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise exceptions.NotFound(self.invalid_cursor_message)
        position = []
        for name, value in zip(self.fields, values, strict=True):
            field = queryset.query.resolve_ref(name).output_field
            try:
                parsed = field.to_python(value)
            except (ValidationError, TypeError, ValueError, OverflowError):
                raise exceptions.NotFound(self.invalid_cursor_message) from None
            if parsed is None or (isinstance(parsed, int) and abs(parsed) > MAX_ID):
                raise exceptions.NotFound(self.invalid_cursor_message)
            if isinstance(parsed, str) and "\x00" in parsed:
                raise exceptions.NotFound(self.invalid_cursor_message)
            position.append(parsed)
        return position

    def _position_of(self, row) -> str:
        # A page is models, or rows of values() where a list reads rows (task_list.py).
        if isinstance(row, dict):
            values = [row[name] for name in self.fields]
        else:
            values = [getattr(row, name) for name in self.fields]
        return json.dumps(
            [v.isoformat() if isinstance(v, datetime.date) else v for v in values],
            separators=(",", ":"),
        )

    def get_next_link(self):
        if not self.has_next:
            return None
        position = self._position_of(self.page[-1]) if self.page else self.cursor.position
        return self.encode_cursor(pagination.Cursor(offset=0, reverse=False, position=position))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        # An empty page (its rows deleted since): the page before ends where the cursor points.
        position = self._position_of(self.page[0]) if self.page else self.cursor.position
        return self.encode_cursor(pagination.Cursor(offset=0, reverse=True, position=position))


class FilterSetBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the FilterSet's
    filters (a detail, a list unfiltered): the FilterSet would build its form, a field and
    a label for each filter, to filter nothing, as each filter passes an empty value by.

    A parameter is the filter's if it starts with its name (a range's `_after`, `_before`).
    When some are named, the FilterSet holds those filters only: the others would each
    be copied and given a form field to pass an empty value by.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        named = frozenset(
            name
            for name in filterset_class.base_filters
            if any(parameter.startswith(name) for parameter in request.query_params)
        )
        if not named:
            return queryset
        narrowed = _with_filters(filterset_class, named)
        filterset = narrowed(**self.get_filterset_kwargs(request, queryset, view))
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs


# Bounded: a client picks the set of names.
@functools.lru_cache(maxsize=256)
def _with_filters(filterset_class: type[FilterSet], names: frozenset[str]) -> type[FilterSet]:
    """`filterset_class` with only the filters named (one class per set of names)."""
    narrowed: type[FilterSet] = type(filterset_class.__name__, (filterset_class,), {})
    narrowed.base_filters = {
        name: found for name, found in filterset_class.base_filters.items() if name in names
    }
    return narrowed


class ChoiceOrdering(BaseFilterBackend):
    """`?ordering=` among a view's named orderings (`ordering_choices`); others are a 400.

    Cursor pagination asks this backend for the ordering (`get_ordering`), so a cursor
    keeps the order the client chose.
    """

    param = "ordering"

    def get_ordering(self, request, queryset, view):
        choices = view.ordering_choices
        value = request.query_params.get(self.param)
        if value is None:
            return choices[view.default_ordering]
        if value not in choices:
            raise exceptions.ValidationError(
                {self.param: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}]}
            )
        return choices[value]

    def filter_queryset(self, request, queryset, view):
        return queryset.order_by(*self.get_ordering(request, queryset, view))

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": f"Order of the list (default {view.default_ordering}).",
                "schema": {"type": "string", "enum": list(view.ordering_choices)},
            }
        ]


def etag_response(instance, data, *, status_code=status.HTTP_200_OK) -> Response:
    response = Response(data, status=status_code)
    response["ETag"] = instance.etag
    return response


if TYPE_CHECKING:
    # ResourceMixin is only ever mixed into viewsets: for the type checker it is one.
    _GenericAPIView = GenericAPIView
else:
    _GenericAPIView = object


class ResourceMixin(_GenericAPIView):
    """Defaults of every Talanoa viewset: numeric ids, FilterSets, named orderings."""

    lookup_value_regex = ID_PATTERN
    permission_classes = [ReadsForAll]
    pagination_class: type[pagination.BasePagination] | None = PageNumberPagination
    default_ordering = "id"
    ordering_choices: dict[str, tuple[str, ...]] = {"id": ("id",), "-id": ("-id",)}

    filter_backends = [FilterSetBackend, ChoiceOrdering]
