"""The second factor at every door a session opens: pages, the admin, the session API.

A person who must give a second code (forums.second_factor.standing_of) and whose session
has not is sent to give it, or to set up an authenticator first, before anything else.
Deny by default: only the pages that sign in and out, reset a password, set up or ask
for the code, switch the language, and the token-addressed links (calendar feeds,
reminder preferences, the API's token sign-in, which carries its own code) are let through.
"""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from forums.second_factor import standing_of

OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "admin:logout",
        "api:token",
        "pages:language",
        "pages:second-factor",
        "pages:second-factor-enrol",
    }
)
# Addressed by a secret in the link, not by the session.
OPEN_NAMESPACES = frozenset({"calendar", "reminders"})


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.view_name in OPEN_VIEWS or match.namespace in OPEN_NAMESPACES:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        standing = standing_of(user)
        if not standing.must_verify:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Give your second factor on the sign-in page first."),
                    "code": "second_factor_required",
                },
                status=403,
            )
        page = "pages:second-factor" if standing.enrolled else "pages:second-factor-enrol"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
