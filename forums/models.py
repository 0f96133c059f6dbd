"""Forums, the members at their table, their meetings, chairs, hosts and attendance."""

import datetime
import re
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from django_countries import countries
from django_countries.fields import CountryField
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS
from simple_history.models import HistoricalRecords
from timezone_field import TimeZoneField

from forums.zones import zones_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Member(models.Model):
    """Who sits at a forum's table: a state or territory, an agency, an organisation."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        TERRITORY = "territory", _("Territory")
        AGENCY = "agency", _("Agency of a state")
        REGIONAL_ORGANISATION = "regional_org", _("Regional organisation")
        INTERNATIONAL_ORGANISATION = "international_org", _("International organisation")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=40, blank=True, help_text=_("Acronym, e.g. PFC or RPNGC.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(
        _("country (ISO 3166)"),
        blank=True,
        help_text=_("The state or territory itself, or the state an agency belongs to."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("agency of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        help_text=_("For an agency: the state or territory it belongs to."),
    )
    time_zone = TimeZoneField(
        _("time zone (IANA)"),
        null=True,
        blank=True,
        help_text=_("Default time zone of the people who represent this member."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.AGENCY and self.parent_id is None:
            raise ValidationError({"parent": _("An agency belongs to a state or territory.")})
        if self.kind != self.Kind.AGENCY and self.parent_id is not None:
            raise ValidationError({"parent": _("Only an agency belongs to another member.")})
        if self.kind in (self.Kind.STATE, self.Kind.TERRITORY) and not self.country:
            raise ValidationError({"country": _("A state or territory has an ISO 3166 code.")})
        if self.parent is not None and self.parent.kind not in (
            self.Kind.STATE,
            self.Kind.TERRITORY,
        ):
            raise ValidationError({"parent": _("An agency belongs to a state or territory.")})


# A seat (a forum membership, a working-group seat) runs until its `left_on` day, that day
# included: recording a departure in advance keeps the seat until the day comes.
OPEN_ENDED = Q(left_on__isnull=True)


def seat_current_on(day: datetime.date | None = None, *, prefix: str = "") -> Q:
    """Seats current on `day` (today in UTC by default); `prefix` reaches them from a join."""
    day = day or timezone.now().date()
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})


class SeatQuerySet(models.QuerySet):
    """Forum memberships and working-group seats share what "current" means."""

    def current(self, day: datetime.date | None = None) -> "SeatQuerySet":
        return self.filter(seat_current_on(day))


class Forum(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(
        _("acronym"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9-]*$",
                _("Capital letters, digits and hyphens, e.g. JHOPS: it starts citation codes."),
            )
        ],
        help_text=_("Starts every citation code of the forum, e.g. JHOPS in JHOPS/4/16."),
    )
    established_year = models.PositiveSmallIntegerField(
        _("established"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    secretariat = models.ForeignKey(
        Member,
        verbose_name=_("secretariat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    stalled_after_days = models.PositiveSmallIntegerField(
        _("work stalls after (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("Open work with no update for this many days counts as stalled."),
    )
    members: "models.ManyToManyField[Member, ForumMembership]" = models.ManyToManyField(
        Member, verbose_name=_("members"), through="ForumMembership", related_name="forums"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.CheckConstraint(
                condition=Q(stalled_after_days__gte=1),
                name="forum_stalled_after_at_least_a_day",
                violation_error_message=_("Work stalls after one day or more."),
            )
        ]

    def __str__(self) -> str:
        return self.acronym


class ForumMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    joined_on = models.DateField(_("since"), null=True, blank=True)
    left_on = models.DateField(_("until"), null=True, blank=True)
    objects = SeatQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "role", "member__name"]
        verbose_name = _("forum membership")
        verbose_name_plural = _("forum memberships")
        constraints = [
            models.CheckConstraint(
                condition=OPEN_ENDED | Q(joined_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["forum", "member"],
                condition=OPEN_ENDED,
                name="one_current_membership_per_member",
                violation_error_message=_("This member already has a current membership."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(member)s (%(role)s, %(forum)s)") % {
            "member": self.member,
            "role": self.get_role_display(),
            "forum": self.forum,
        }


# A due day ends at 23:59 at the venue of the meeting the work reports to, in UTC when
# that meeting has no time zone or the work reports to none. Every deadline, overdue
# list, reminder and calendar entry asks these two functions.
END_OF_DUE_DAY = datetime.time(23, 59)
MEETING_OPENS = datetime.time(9, 0)


def due_day_end(day: datetime.date, zone=None) -> datetime.datetime:
    """The instant a due day ends at a venue whose time zone is `zone` (None: UTC)."""
    return datetime.datetime.combine(day, END_OF_DUE_DAY, tzinfo=zone or datetime.UTC)


def day_at_venue(now: datetime.datetime, zone=None) -> datetime.date:
    """The calendar day it is at a venue whose time zone is `zone` (None: UTC)."""
    return now.astimezone(zone or datetime.UTC).date()


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def meeting_held(today: datetime.date, *, prefix: str = "") -> Q:
    """The one definition of "this meeting has been held" (as a filter on `prefix`).

    A dated meeting is held once its last day is past. A meeting with approximate dates
    is held once the month it was expected in is past, or once a later meeting of its
    forum is recorded: the forum has moved on whether or not its dates were written down.
    """
    later = Meeting.objects.filter(
        forum_id=OuterRef(f"{prefix}forum_id"), sequence__gt=OuterRef(f"{prefix}sequence")
    )
    dated = Q(**{f"{prefix}start_date__isnull": False})
    return (
        (dated & Q(**{f"{prefix}end_date__lt": today}))
        | (dated & Q(**{f"{prefix}end_date__isnull": True, f"{prefix}start_date__lt": today}))
        | (~dated & Q(**{f"{prefix}expected_month__lt": first_of_month(today)}))
        | (~dated & Q(Exists(later)))
    )


# What an officer types for a meeting's number: "8", "8th", "8e" (French), "2023".
MEETING_NUMBER = re.compile(r"^(\d{1,4})(?:st|nd|rd|th|e|er|re|ème)?$", re.IGNORECASE)
MEETING_TERM_SEPARATORS = re.compile(r"[\s/,]+")


def meeting_word_matches(word: str) -> Q:
    """Meetings one typed word may mean: their number (as "8" or "8th"), a year they were
    held in, or a word of their title, venue, country or forum."""
    found = (
        Q(title__icontains=word)
        | Q(venue__icontains=word)
        | Q(forum__acronym__icontains=word)
        | Q(forum__name__icontains=word)
    )
    # Country names in the officer's language, as the country column shows them.
    codes = [code for code, name in countries if word.casefold() in str(name).casefold()]
    if codes:
        found |= Q(country__in=codes)
    number = MEETING_NUMBER.match(word)
    if number:
        found |= Q(sequence=int(number[1]))
        if len(number[0]) == 4:  # a bare four-digit number is also a year
            year = int(number[0])
            found |= Q(start_date__year=year) | Q(expected_month__year=year)
    return found


class MeetingQuerySet(models.QuerySet):
    def held(self, today: datetime.date | None = None) -> "MeetingQuerySet":
        """Meetings that have taken place by `today` (UTC today by default)."""
        return self.filter(meeting_held(today or timezone.now().date()))

    def latest_held_and_next(self, forum_ids, *, today: datetime.date) -> dict[int, tuple]:
        """Each forum's latest held meeting and its next one (either None), two queries."""
        latest: dict[int, Meeting] = {}
        for meeting in self.filter(forum_id__in=forum_ids).held(today).order_by("sequence"):
            latest[meeting.forum_id] = meeting
        upcoming: dict[int, Meeting] = {}
        not_held = self.filter(forum_id__in=forum_ids).exclude(meeting_held(today))
        for meeting in not_held.order_by("-sequence"):
            upcoming[meeting.forum_id] = meeting
        return {f: (latest.get(f), upcoming.get(f)) for f in forum_ids}

    def matching(self, term: str) -> "MeetingQuerySet":
        """Meetings matching every word typed: "8th", "5th JHOPS", "JHOPS 5", "Koror"…"""
        found = Q()
        for word in MEETING_TERM_SEPARATORS.split(term.strip()):
            if word:
                found &= meeting_word_matches(word)
        return self.filter(found)

    def with_host_name(self) -> "MeetingQuerySet":
        """Annotate `host_name`: the member whose hosting is confirmed or done."""
        hosting = Hosting.objects.filter(
            meeting=OuterRef("pk"), status__in=Hosting.HOSTING_STATUSES
        ).order_by("-status")
        return self.annotate(host_name=Subquery(hosting.values("member__name")[:1]))

    def next_sequences(self) -> dict[int, int]:
        """The sequence each forum's next meeting takes: one after its highest recorded
        (a forum missing here has none: its next is 1). One query."""
        highest = self.values("forum_id").annotate(highest=Max("sequence")).order_by()
        return {row["forum_id"]: row["highest"] + 1 for row in highest}

    def next_sequence(self, forum_id: int) -> int:
        """The sequence the forum's next meeting takes (see next_sequences)."""
        return self.filter(forum_id=forum_id).next_sequences().get(forum_id, 1)

    def after(self, meeting: "Meeting") -> "MeetingQuerySet":
        """The forum's meetings after `meeting`, next first."""
        return self.filter(forum_id=meeting.forum_id, sequence__gt=meeting.sequence).order_by(
            "sequence"
        )

    def next_per_forum(self, forum_ids, *, today: datetime.date) -> dict[int, int]:
        """Each forum's next meeting (its id): the first to open on or after `today`."""
        upcoming = (
            self.filter(forum_id__in=forum_ids, start_date__gte=today)
            .order_by("forum_id", "start_date")
            .values_list("forum_id", "pk")
        )
        next_meeting: dict[int, int] = {}
        for forum_id, meeting_id in upcoming:
            next_meeting.setdefault(forum_id, meeting_id)
        return next_meeting


class Meeting(models.Model):
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="meetings"
    )
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), validators=[MinValueValidator(1)], help_text=_("5 for the 5th meeting.")
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Leave empty for e.g. “5th JHOPS”.")
    )
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    dates_note = models.CharField(
        _("what is known of the dates"),
        max_length=200,
        blank=True,
        help_text=_("When exact dates are not known yet, e.g. “August 2024”."),
    )
    expected_month = models.DateField(
        _("expected in the month of"),
        null=True,
        blank=True,
        help_text=_(
            "Without exact dates: the first day of the month it is expected, e.g. 2024-08-01."
        ),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    time_zone = TimeZoneField(
        _("venue time zone (IANA)"),
        null=True,
        blank=True,
        help_text=_("Deadlines of work reporting to this meeting end at 23:59 here."),
    )
    members_attending: "models.ManyToManyField[Member, Attendance]" = models.ManyToManyField(
        Member,
        verbose_name=_("members attending"),
        through="Attendance",
        related_name="meetings_attended",
    )
    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "sequence"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "sequence"],
                name="unique_meeting_sequence_per_forum",
                violation_error_message=_("This forum already has a meeting with this number."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="meeting_ends_after_it_starts",
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name_from(self.title, self.sequence, self.forum.acronym)

    @staticmethod
    def name_from(title: str, sequence: int, forum_acronym: str) -> str:
        """A meeting's name from its columns (lists that read rows, not models)."""
        return title or f"{ordinal(sequence)} {forum_acronym}"

    def clean(self) -> None:
        if self.end_date and not self.start_date:
            raise ValidationError({"start_date": _("Give the start date with the end date.")})
        if self.expected_month is not None:
            self.expected_month = first_of_month(self.expected_month)
        self.clean_time_zone()

    def clean_time_zone(self) -> None:
        """The venue's zone is one of its country's; a country with one zone gives it."""
        zones = zones_of(self.country)
        if not zones:
            return
        if not self.time_zone:  # None, or "" from a caller that means none
            if len(zones) == 1:
                self.time_zone = zoneinfo.ZoneInfo(zones[0])
            return
        if str(self.time_zone) not in zones:
            raise ValidationError(
                {"time_zone": country_zones_message(self.country, zones, given=self.time_zone)}
            )

    @property
    def next_meeting(self) -> "Meeting | None":
        """The forum's meeting after this one, if recorded."""
        return Meeting.objects.after(self).first()

    @property
    def opens_at(self) -> datetime.datetime:
        """When a dated meeting opens: 09:00 at its venue (no time of day is recorded)."""
        assert self.start_date is not None, "only a dated meeting opens at a known instant"
        return datetime.datetime.combine(
            self.start_date, MEETING_OPENS, tzinfo=self.time_zone or datetime.UTC
        )


def country_zones_message(country, zones: tuple[str, ...], *, given=None) -> str:
    """What to choose from when a venue's country has several zones, or another was given."""
    names = {"country": countries.name(str(country)) or country, "zones": ", ".join(zones)}
    if given is None:
        return _("%(country)s has several time zones: choose one of %(zones)s.") % names
    return _("%(zone)s is not a time zone of %(country)s: choose one of %(zones)s.") % {
        **names,
        "zone": given,
    }


def ordinal(number: int) -> str:
    """“5th” in English, “5e” in French: each English ending is its own message, because
    French does not follow it (1re but 21e)."""
    last = 0 if 10 <= number % 100 <= 20 else number % 10
    if number == 1:
        form = pgettext("ordinal", "1st")
    elif last == 1:
        form = pgettext("ordinal", "%(number)sst")
    elif last == 2:
        form = pgettext("ordinal", "%(number)snd")
    elif last == 3:
        form = pgettext("ordinal", "%(number)srd")
    else:
        form = pgettext("ordinal", "%(number)sth")
    return form % {"number": number}


class Chair(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        CO_CHAIR = "co_chair", _("Co-chair")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="chairs"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="chairs", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CHAIR)
    office = models.CharField(
        _("office"),
        max_length=200,
        blank=True,
        help_text=_("e.g. “Commissioner of the Royal Papua New Guinea Constabulary”."),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Talanoa user acting as chair"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chairs",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("chair")
        verbose_name_plural = _("chairs")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="one_chair_seat_per_member",
                violation_error_message=_("This member already chairs this meeting."),
            )
        ]

    def __str__(self) -> str:
        return _("%(seat)s (%(role)s, %(meeting)s)") % {
            "seat": self.office or self.member,
            "role": self.get_role_display(),
            "meeting": self.meeting,
        }


class Attendance(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member delegation")
        OBSERVER = "observer", _("Observer")
        GUEST = "guest", _("Special guest")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "role", "member__name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="attends_a_meeting_once",
                violation_error_message=_("This member is already recorded at this meeting."),
            )
        ]

    def __str__(self) -> str:
        return _("%(member)s at %(meeting)s") % {"member": self.member, "meeting": self.meeting}


class Hosting(models.Model):
    """A member's relation to hosting a meeting; every move is kept as a HostingChange."""

    class Status(models.TextChoices):
        INTEREST_REGISTERED = "interest", _("Interest registered")
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        HOSTED = "hosted", _("Hosted")
        # A hosting withdrawn is "retiré" in French, a task "retirée": two messages.
        WITHDRAWN = "withdrawn", pgettext_lazy("hosting status", "Withdrawn")

    # Which moves a hosting may make; anything else is refused by hosting_change_status.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.INTEREST_REGISTERED: frozenset({Status.PLANNED, Status.CONFIRMED, Status.WITHDRAWN}),
        Status.PLANNED: frozenset({Status.CONFIRMED, Status.HOSTED, Status.WITHDRAWN}),
        Status.CONFIRMED: frozenset({Status.HOSTED, Status.WITHDRAWN}),
        Status.HOSTED: frozenset(),
        # A member that withdrew may register interest again; the old moves stay on record.
        Status.WITHDRAWN: frozenset({Status.INTEREST_REGISTERED}),
    }
    HOSTING_STATUSES = (Status.CONFIRMED, Status.HOSTED)

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="hostings"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="hostings"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    announced_at = models.ForeignKey(
        Meeting,
        verbose_name=_("announced at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hostings_announced",
        help_text=_("The meeting whose outcome recorded this, e.g. the 5th for PNG's plan."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "member__name"]
        verbose_name = _("hosting")
        verbose_name_plural = _("hostings")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="one_hosting_per_member_and_meeting",
                violation_error_message=_("This member already has a hosting for this meeting."),
            ),
            # Two hosts for one meeting is a data-entry error, not a plan change.
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(status__in=["confirmed", "hosted"]),
                name="one_host_per_meeting",
                violation_error_message=_("Another member already hosts this meeting."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(member)s — %(meeting)s (%(status)s)") % {
            "member": self.member,
            "meeting": self.meeting,
            "status": self.get_status_display(),
        }

    def allowed_statuses(self) -> list[str]:
        return sorted(self.TRANSITIONS[self.status])


class HostingChange(models.Model):
    """One move of a hosting: when it happened in the world, and who recorded it when."""

    hosting = models.ForeignKey(
        Hosting, verbose_name=_("hosting"), on_delete=models.CASCADE, related_name="changes"
    )
    status_from = models.CharField(
        _("from"), max_length=10, choices=Hosting.Status.choices, blank=True
    )
    status_to = models.CharField(_("to"), max_length=10, choices=Hosting.Status.choices)
    effective_on = models.DateField(_("happened on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Empty for moves recorded by Talanoa itself (the JHoPS data load), as on TaskUpdate.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["hosting", "recorded_at", "pk"]
        verbose_name = _("hosting change")
        verbose_name_plural = _("hosting changes")

    def __str__(self) -> str:
        return _("%(member)s: %(old)s → %(new)s") % {
            "member": self.hosting.member,
            "old": self.status_from or "—",
            "new": self.status_to,
        }


class Profile(models.Model):
    """What Talanoa knows of a person beyond their login."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        FRENCH = "fr", "Français"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("represents"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    time_zone = TimeZoneField(
        _("time zone (IANA)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the time zone of the member they represent."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return _("Profile of %(user)s") % {"user": self.user}

    @property
    def effective_time_zone(self):
        return self.time_zone or (self.member.time_zone if self.member else None)


class ApiToken(AbstractAuthToken):
    """A token a person's script signs in with: stored as a digest, never as sent.

    django-rest-knox keeps the SHA-512 digest of a 256-bit random key and the key's first
    15 characters (`token_key`, indexed) to find the row; nothing stored lets anyone read
    a token back. Each sign-in issues its own row, named for the device or script that
    asked, so a person can see and revoke each one (forums/tokens.py issues and checks).
    """

    class Ended(models.TextChoices):
        REVOKED = "revoked", _("revoked")
        REPLACED = "replaced", _("replaced by a new sign-in with the same name")
        DEACTIVATED = "deactivated", _("account deactivated")

    # knox's base class is untyped, so the fields say their types for mypy.
    # The digest stays unique, but the row's id is a plain number: admin and page URLs
    # name the row without showing anything derived from the token.
    digest: "models.CharField[str, str]" = models.CharField(
        _("digest"), max_length=CONSTANTS.DIGEST_LENGTH, unique=True
    )
    user: "models.ForeignKey[User, User]" = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name: "models.CharField[str, str]" = models.CharField(_("name"), max_length=100)
    # A keyed fingerprint of the owner's password hash when the token was issued, like the
    # one Django's sessions carry: a password changed by any path (the pages, a reset, the
    # admin, `changepassword`) no longer matches, and the token stops working.
    password_seal: "models.CharField[str, str]" = models.CharField(max_length=64, editable=False)
    expiry: "models.DateTimeField[datetime.datetime, datetime.datetime]" = models.DateTimeField(
        _("expires")
    )
    ended_at: "models.DateTimeField[datetime.datetime | None, datetime.datetime | None]" = (
        models.DateTimeField(_("ended"), null=True, blank=True)
    )
    ended_by: "models.ForeignKey[User | None, User | None]" = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_because: "models.CharField[str, str]" = models.CharField(
        _("ended because"), max_length=20, choices=Ended.choices, blank=True
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "ended_at"], name="apitoken_user_live")]

    def __str__(self) -> str:
        return _("%(name)s of %(user)s") % {"name": self.name, "user": self.user}


class SecondFactorEvent(models.Model):
    """One change to a person's second factor, or one use of a recovery code.

    django-otp deletes a removed device and a used recovery code, so what happened to
    them, who did it and when is kept here. Written by forums.second_factor only; the
    admin shows it and nobody edits it.
    """

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        REMOVED = "removed", _("removed by its owner")
        RESET = "reset", _("reset by the secretariat")
        RECOVERY_CODE_USED = "recovery_used", _("recovery code used")
        RECOVERY_CODES_RENEWED = "recovery_renewed", _("recovery codes renewed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="second_factor_events",
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("second-factor event")
        verbose_name_plural = _("second-factor events")

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()}"
