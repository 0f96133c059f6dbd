"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

`make test` installs /usr/bin/chromium from Debian (Playwright's own browser download needs
the internet, which CI does not have). Pages are opened as a working-group member would:
a phone 360 px wide, in English or French, with JavaScript on or off. Each page can be
checked with axe-core (WCAG 2.1 A and AA) and weighed (bytes transferred on a first load,
static files counted apart); screenshots go to test-artifacts/ at the repository root.
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from weakref import WeakSet

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from fixtures.demo_activity import load_demo_activity
from fixtures.jhops import FORUM_ACRONYM, load_jhops
from forums.models import Meeting
from tests.second_factor import code_now
from workinggroups.models import Task

# Playwright's sync API keeps an asyncio event loop running in the test thread (in a
# greenlet) from start to stop, so Django sees a running loop and refuses every ORM call
# the tests make between browser steps with SynchronousOnlyOperation. Those calls are
# plain synchronous code in the test thread, never inside the loop: safe to allow.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The flags the machine's probe found Chromium needs here: root (no sandbox), no GPU, and
# no calls home (the closed network refuses them, many at a time, and slows every start).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Contexts opened with JavaScript off: axe-core cannot run in them (its promises and
# timers never fire, so axe.run hangs), and axe_check checks a copy instead.
_without_javascript: WeakSet[BrowserContext] = WeakSet()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the browser tests.

    Package scope, not session: between start and stop Playwright keeps an event loop
    running in the test thread; stopping it after tests/browser leaves the rest of the
    suite as it would be without these tests.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. `make test` "
            "installs it; by hand: apt-get install -y --no-install-recommends chromium",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def phone(browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """Opens a phone's browser on the live server: `phone(locale="fr", javascript=False)`.

    Each call is a new context (no cookies, empty cache); relative URLs go to the live
    server (`page.goto("/reminders/…")`). The locale sets both navigator.language and the
    Accept-Language header, as a French phone would send it. Anything the site's Content
    Security Policy refuses on any page (an inline style, a script) fails the test.
    """
    contexts: list[BrowserContext] = []
    refused: list[str] = []

    def open_phone(*, locale: str = "en", javascript: bool = True) -> BrowserContext:
        context = browser.new_context(
            **PHONE, locale=locale, java_script_enabled=javascript, base_url=live_server.url
        )
        if not javascript:
            _without_javascript.add(context)
        context.on("console", lambda message: refused.extend(csp_violations([message])))
        contexts.append(context)
        return context

    yield open_phone
    for context in contexts:
        context.close()
    # Every page any browser test opens is held to the site's Content Security Policy.
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


# DRF's browsable API (an /api/v1/ address opened in a browser) places two of its buttons
# with style attributes, which the policy refuses; the page works without them.
TOLERATED_REFUSALS = re.compile(r"https?://[^/]+/api/v1/(?!docs/)\S*: Applying inline style ")


def csp_violations(messages) -> list[str]:
    """Chromium's console lines for what the Content Security Policy refused."""
    lines = [
        f"{message.page.url if message.page else '?'}: {message.text}"
        for message in messages
        if "Content Security Policy" in message.text
    ]
    return [line for line in lines if not TOLERATED_REFUSALS.match(line)]


def sign_in(page: Page, live_server, username: str, password: str, *, path="/accounts/login/"):
    """Signs in through the real form, as a person would: type, then press the button."""
    page.goto(f"{live_server.url}{path}")
    form = page.locator("form").filter(has=page.locator('input[name="username"]'))
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation():
        form.locator('button[type="submit"], input[type="submit"]').first.click()
    assert urlparse(page.url).path != path, f"sign-in as {username!r} failed: still on {path}"
    give_second_factor(page, username)


def give_second_factor(page: Page, username: str) -> None:
    """The step after the password for those asked: set up the app, or type its code.

    The code is the one the person's app would show (the real TOTP from the device's key).
    """
    step = urlparse(page.url).path
    if step == "/me/second-factor/set-up/":
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        _submit_code(page, code_now(device))
        with page.expect_navigation():
            page.get_by_role("link", name="I have kept them: continue").click()
    elif step == "/me/second-factor/":
        _submit_code(page, code_now(TOTPDevice.objects.get(user__username=username)))


def _submit_code(page: Page, code: str) -> None:
    page.locator('input[name="code"]').fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _violations_report(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (axe-core, WCAG 2.1 A/AA):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        lines.extend(
            f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}"
            for node in violation["nodes"]
        )
    return "\n".join(lines)


def axe_check(page: Page) -> dict:
    """Runs axe-core on the page as it is now and fails on any WCAG 2.1 A/AA violation.

    A page opened without JavaScript is checked as a copy: its current HTML served at the
    same URL to a JavaScript-enabled page of the same size (scripts blocked, so the DOM is
    the one the no-JavaScript visitor has), because axe-core itself needs JavaScript.
    """
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    if page.context not in _without_javascript:
        results = Axe().run(page, options=options).response
    else:
        html, url = page.content(), page.url
        browser = page.context.browser
        assert browser is not None, "a context opened by our own browser"
        copy = browser.new_context(
            viewport=page.viewport_size, **{k: v for k, v in PHONE.items() if k != "viewport"}
        )
        try:
            twin = copy.new_page()

            def serve_the_copy(route) -> None:
                if route.request.url == url:
                    route.fulfill(body=html, content_type="text/html; charset=utf-8")
                elif route.request.resource_type == "script":
                    route.abort()
                else:
                    route.continue_()

            twin.route("**/*", serve_the_copy)
            twin.goto(url)
            results = Axe().run(twin, options=options).response
        finally:
            copy.close()
    violations = results["violations"]
    if violations:
        # Raised, not asserted: pytest would append the whole axe result to the message.
        raise AssertionError(f"{page.url}\n{_violations_report(violations)}")
    return results


@dataclass
class PageWeight:
    """Bytes a first load transferred (headers and compressed bodies, as on the wire)."""

    url: str
    document_bytes: int = 0
    other_bytes: int = 0  # not under STATIC_URL: redirects, fragments, favicon, media…
    static_bytes: int = 0  # under STATIC_URL: cached after the first page, so counted apart
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, url, bytes)

    @property
    def total(self) -> int:
        """What the issue's budget counts: everything but the static files."""
        return self.document_bytes + self.other_bytes

    def __str__(self) -> str:
        head = (
            f"{self.url}: {self.total} B without static files (document {self.document_bytes} B, "
            f"other {self.other_bytes} B); static files {self.static_bytes} B"
        )
        return "\n".join([head, *(f"  {k:8} {n:7} B  {u}" for k, u, n in self.requests)])


def page_weight(page: Page, url: str) -> PageWeight:
    """Loads `url` in `page` with the browser cache off and adds up what crossed the wire.

    Chrome DevTools' own count: Network.loadingFinished's encodedDataLength (headers plus
    the body as sent, compressed if it was), and each redirect's response on its own.
    """
    static_prefix = urlparse(settings.STATIC_URL).path
    weight = PageWeight(url=url)
    urls: dict[str, tuple[str, str]] = {}  # requestId -> (url, resource type)

    def record(url_: str, resource_type: str, size: int, kind: str | None = None) -> None:
        if kind is None:
            if urlparse(url_).path.startswith(static_prefix):
                kind = "static"
            elif resource_type == "Document" and not weight.document_bytes:
                kind = "document"
            else:
                kind = "other"
        setattr(weight, f"{kind}_bytes", getattr(weight, f"{kind}_bytes") + size)
        weight.requests.append((kind, url_, size))

    def on_request(event: dict) -> None:
        redirect = event.get("redirectResponse")
        if redirect:
            size = int(redirect["encodedDataLength"])
            record(redirect["url"], event.get("type", ""), size, kind="other")
        urls[event["requestId"]] = (event["request"]["url"], event.get("type", ""))

    def on_finished(event: dict) -> None:
        if event["requestId"] in urls:
            url_, resource_type = urls.pop(event["requestId"])
            if not url_.startswith("data:"):
                record(url_, resource_type, int(event["encodedDataLength"]))

    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.on("Network.requestWillBeSent", on_request)
        cdp.on("Network.loadingFinished", on_finished)
        page.goto(url)
        # Until nothing more is loading (images, fonts, a favicon): all of it is counted.
        page.wait_for_load_state("networkidle")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    finally:
        cdp.detach()
    return weight


def screenshot(page: Page, name: str) -> Path:
    """Saves the whole page as test-artifacts/<name>.png, for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def jhops(transactional_db) -> dict:
    """The real JHoPS record with its demo logins, and the invented DEMO forum beside it.

    fixtures.jhops.load_jhops gives the 5th meeting (Koror, chaired by the `chair` login),
    its outcomes and lineage, and the intersessional working group (`wg-lead`, `wg-member`);
    fixtures.demo_activity adds tasks with due dates around today. Every demo login's
    password is fixtures.jhops.DEMO_PASSWORD. Returned: the objects the pages open.
    """
    assert load_jhops(demo_users=True)
    assert load_demo_activity()
    tor = Task.objects.select_related("working_group").get(title__startswith="Terms of reference")
    return {
        "koror": Meeting.objects.get(forum__acronym=FORUM_ACRONYM, sequence=5),
        "group": tor.working_group,
        "task": tor,  # JHOPS/4/16's task: led by wg-lead, wg-member sits on its group
    }
