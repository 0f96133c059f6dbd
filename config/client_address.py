"""The address of the person at the other end, the one sign-in locks and rate limits count.

Each trusted reverse proxy appends the address it received the request from to
`X-Forwarded-For`; with PROXY_COUNT of them, the client is the PROXY_COUNT-th entry from
the right. Entries further left were written by the client and could be anything, so they
are never read: a client cannot pick a fresh address for each try. Without a proxy the
header is ignored altogether. DRF's throttles read the same entry (NUM_PROXIES).
"""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_address(request: HttpRequest) -> str | None:
    """The client's address, behind exactly settings.PROXY_COUNT trusted proxies."""
    if not settings.PROXY_COUNT:
        return request.META.get("REMOTE_ADDR")
    # django-ipware counts the proxies listed after the client in the header; the last
    # proxy is REMOTE_ADDR, not listed. Not strict: junk a client put to the left of
    # the trusted entries is skipped instead of discarding the whole header.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=settings.PROXY_COUNT - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    # No usable header (a request that did not come through the proxies): the peer.
    return address or request.META.get("REMOTE_ADDR")
