"""A signed-in person reads Talanoa in the language and time zone of their profile.

LocaleMiddleware (before this one) has already chosen a language from the cookie or the
browser; for a signed-in person their profile wins, so the choice follows them from phone
to desk. Anonymous readers keep LocaleMiddleware's choice (the language switch sets the
cookie). Dates are shown in the person's time zone, else the member they represent's.
"""

from django.utils import timezone, translation

from forums.models import Profile


class PersonalSettingsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = None
        if request.user.is_authenticated:
            profile = (
                Profile.objects.filter(user_id=request.user.pk).select_related("member").first()
            )
        if profile is not None:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = profile.language
            zone = profile.effective_time_zone
            if zone is not None:
                timezone.activate(zone)
        request.profile = profile
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
