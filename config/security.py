"""Response headers of the security baseline that Django has no setting for."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: the browser features no page may use."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        return response


# Answers that hold a person's own things even to a request with no one signed in: the
# admin and the sign-in forms, calendar feeds and reminder links (a secret in the
# address), a person's settings.
PRIVATE_PATHS = ("/admin/", "/accounts/", "/calendar/", "/reminders/", "/me/")


def depends_on_reader(request, response) -> bool:
    """Whether the answer may differ from one reader to the next."""
    return (
        request.method not in ("GET", "HEAD")
        or "authorization" in request.headers
        # No user: a middleware further in answered before authentication ran.
        or getattr(getattr(request, "user", None), "is_authenticated", False)
        or request.path.startswith(PRIVATE_PATHS)
        or bool(response.cookies)
    )


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every answer that depends on who asks.

    No cache, shared or the browser's own (a shared computer's disk), keeps what a
    signed-in person read, whatever its TLP label. What an anonymous reader gets with
    no cookie set is the same for everyone (TLP:CLEAR only) and is left cacheable, as
    are static files, which WhiteNoise serves before this. A page setting the CSRF
    cookie holds a token of the visitor's, so is private. A view's `no-store` stays.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        already = response.get("Cache-Control", "")
        if "no-store" not in already and depends_on_reader(request, response):
            response["Cache-Control"] = "private, no-store"
        return response
