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
