"""OpenAPI post-processing: every status code an operation can return is declared.

drf-spectacular documents the success responses it sees; the error answers that DRF,
our permissions and our preconditions give are the same for every operation of a kind,
so they are added here once, all with the same JSON error body.
"""

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
            if method in ("put", "patch", "delete") or (
                method == "post" and path.endswith("/updates/")
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
