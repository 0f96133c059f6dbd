"""Reminder preferences and one-click unsubscribe, reached from a link in every reminder.

The link carries the person's unsubscribe secret (256 random bits), so it needs no login;
a POST with `List-Unsubscribe=One-Click` (RFC 8058) stops everything at once.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from workinggroups.models import Reason, ReminderPreference
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
