"""Pages reached by a secret in the URL, without a login: reminder preferences, one-click
unsubscribe (from a link in every reminder) and the private calendar feed.

The link carries the person's unsubscribe secret (256 random bits), so it needs no login;
a POST with `List-Unsubscribe=One-Click` (RFC 8058) stops everything at once.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from workinggroups.calendar import build_feed
from workinggroups.models import CalendarFeed, Reason, ReminderPreference
from workinggroups.reminders import language_of
from workinggroups.services import reminder_preferences_update


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = list(Reason.values)


@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    preference = get_object_or_404(ReminderPreference, unsubscribe_token=token)
    # Not `request.POST or None`: a POST with every box unticked is empty, and still a save.
    form = PreferenceForm(request.POST if request.method == "POST" else None, instance=preference)
    saved = False
    if request.method == "POST" and form.is_valid():
        reminder_preferences_update(
            actor=preference.person,
            preference=preference,
            **{reason: form.cleaned_data[reason] for reason in Reason.values},
        )
        saved = True
    return render(
        request,
        "workinggroups/reminder_preferences.html",
        {"form": form, "saved": saved, "preference": preference},
    )


# Mail programs post the one-click request without a CSRF token; the secret in the URL
# is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    preference = get_object_or_404(ReminderPreference, unsubscribe_token=token)
    if request.method == "GET":
        # GET never changes anything (link scanners follow links): it asks to confirm.
        return render(request, "workinggroups/unsubscribe.html", {"preference": preference})
    reminder_preferences_update(
        actor=preference.person,
        preference=preference,
        **dict.fromkeys(Reason.values, False),
    )
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse(status=200)
    return render(
        request, "workinggroups/unsubscribe.html", {"preference": preference, "done": True}
    )


# Calendar programs subscribe without signing in: the feed's secret authorises the read,
# and a revoked secret or a departed person finds nothing (404, as for a wrong one).
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, token: str):
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("person__profile"), token=token, person__is_active=True
    )
    # A calendar program sends no useful language: the feed speaks the person's own.
    with translation.override(language_of(feed.person)):
        content = build_feed(feed.person)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="talanoa.ics"'
    # No cache keeps it (config.security.PrivateResponsesMiddleware, /calendar/): the
    # program asks again at the feed's REFRESH-INTERVAL (workinggroups/calendar.py).
    return response
