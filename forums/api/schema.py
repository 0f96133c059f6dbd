"""The OpenAPI schema tells what the API does: who may call, what it refuses, what it answers.

drf-spectacular documents the success responses and fields it sees. Here, once for every
operation: which reads need no credentials (`security` with `{}`); the error answers that
DRF, our permissions and our preconditions give, all with the same JSON error body; and
the limits the API enforces but drf-spectacular does not write down (ids in paths and
filters are whole numbers within a bigint, text has no NUL character and a maximum length,
a filter left empty is no filter).
"""

from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension

from forums.api.base import MAX_ID

# PostgreSQL cannot store a NUL character; the API refuses one in any text (a 400).
NO_NUL = "^[^\\x00]*$"
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}


class AutoSchema(openapi.AutoSchema):
    """Declares anonymous access where the view's permissions allow it for the method."""

    def get_auth(self):
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        if (
            auths
            and {} not in auths
            and permissions
            and all(
                self.method in getattr(permission, "anonymous_methods", ())
                for permission in permissions
            )
        ):
            auths.append({})
        return auths


class FilterLimits(DjangoFilterExtension):
    """django-filter's parameters with the limits their form fields enforce."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            schema = parameter["schema"]
            target = schema.get("items", schema)
            if filter_field.extra.get("max_length"):
                target["maxLength"] = filter_field.extra["max_length"]
        return parameters


def _text_schemas(schema: dict):
    """Every string schema in a request body schema, walked without recursion."""
    pending = [schema]
    while pending:
        item = pending.pop()
        if not isinstance(item, dict):
            continue
        if item.get("type") == "string":
            yield item
        pending.extend(item.get("properties", {}).values())
        pending.extend(item[key] for key in ("items", "additionalProperties") if key in item)
        for key in ("allOf", "oneOf", "anyOf"):
            pending.extend(item.get(key, []))


def _forbid_nul(schema: dict) -> None:
    for text in _text_schemas(schema):
        if not ({"enum", "format", "pattern"} & set(text)):
            text["pattern"] = NO_NUL


# Query parameters refused when sent empty: an ordering or a page size must be chosen.
MUST_NOT_BE_EMPTY = {"ordering", "page_size"}


def _allow_empty(parameter: dict) -> None:
    """A single-valued parameter sent empty (`?tlp=`) is read as not sent: django-filter,
    the pages and the report all skip it. A list (`?status=`) refuses an empty value."""
    if parameter["name"] not in MUST_NOT_BE_EMPTY and parameter["schema"].get("type") != "array":
        parameter["allowEmptyValue"] = True


def declare_limits(result, generator, request, public):
    """Ids in paths as whole numbers; no NUL in any text a client sends."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _forbid_nul(schema)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id":
                    parameter["schema"] = dict(ID_SCHEMA)
                elif parameter["in"] == "query":
                    _forbid_nul(parameter["schema"])
                    _allow_empty(parameter)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                if "$ref" not in content.get("schema", {}):
                    _forbid_nul(content.get("schema", {}))
    return result


ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for the whole request, or field name → list of messages.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

READ_ERRORS = {
    "400": "A query parameter is not valid (field → messages).",
    "401": "The token or session is not valid.",
    "404": "No such resource, or not one you may see.",
    "405": "Method not allowed here.",
    "406": "Only application/json is offered.",
    "429": "Too many requests; see Retry-After.",
}
WRITE_ERRORS = {
    "400": "The body is not valid: field → messages (an illegal status move names the allowed).",
    "403": "Your role does not allow this on this resource.",
    "413": "The body is too large.",
    "415": "Send application/json.",
}
PRECONDITION_ERRORS = {
    "412": "The resource changed since the ETag you sent; read it again.",
    "428": "Send If-Match with the ETag you last read.",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            errors = dict(READ_ERRORS)
            if method in ("post", "put", "patch", "delete"):
                errors.update(WRITE_ERRORS)
            if method in ("put", "patch", "delete"):
                errors.update(PRECONDITION_ERRORS)
            if method == "post" and path.endswith("/updates/"):
                errors["412"] = PRECONDITION_ERRORS["412"]
            if method == "get":
                errors["403"] = "Your role does not allow this."
            declared = {p["name"] for p in operation.get("parameters", [])}
            if "If-Match" not in declared and (
                method in ("put", "patch", "delete")
                or (method == "post" and path.endswith("/updates/"))
            ):
                operation.setdefault("parameters", []).append(
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": method != "post",
                        "description": "The ETag you last read of this resource.",
                        "schema": {"type": "string"},
                    }
                )
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
