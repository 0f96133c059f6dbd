"""A JSON 404 for every unknown path under /api/, DEBUG or not.

`handler404` (config/urls.py) answers JSON under /api/, but with DEBUG on Django answers
an unmatched path with its HTML debug page instead of calling it: a client of the demo
would then be told `text/html`, which the schema never promises.
"""

from django.http import JsonResponse
from django.utils.translation import gettext


class ApiNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
            and not response.has_header("Content-Disposition")
        ):
            return JsonResponse({"detail": gettext("Not found."), "code": "not_found"}, status=404)
        return response
