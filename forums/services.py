"""The writes of the forums app: meetings with their chairs, hosting moves, a person's settings."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy

from forums.audit import check_transition, save_validated
from forums.models import Chair, Forum, Hosting, HostingChange, Meeting, Member, Profile
from forums.policy import may_change_profile, may_record_meetings, require

if TYPE_CHECKING:
    from django.contrib.auth.models import User


RECORD_MEETINGS = gettext_lazy("Only the secretariat records meetings, chairs and hosts.")


@dataclass(frozen=True)
class ChairSeat:
    member: Member
    role: str = Chair.Role.CHAIR
    office: str = ""
    person: "User | None" = None


@transaction.atomic
def meeting_create(
    *,
    actor: "User | None",
    forum: Forum,
    sequence: int,
    chairs: Sequence[ChairSeat] = (),
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    dates_note: str = "",
    expected_month: datetime.date | None = None,
    title: str = "",
    venue: str = "",
    country: str = "",
    time_zone=None,
) -> Meeting:
    require(may_record_meetings(actor), RECORD_MEETINGS)
    meeting = save_validated(
        Meeting(
            forum=forum,
            sequence=sequence,
            title=title,
            start_date=start_date,
            end_date=end_date,
            dates_note=dates_note,
            expected_month=expected_month,
            venue=venue,
            country=country,
            time_zone=time_zone,
        ),
        actor=actor,
    )
    for seat in chairs:
        save_validated(
            Chair(
                meeting=meeting,
                member=seat.member,
                role=seat.role,
                office=seat.office,
                person=seat.person,
            ),
            actor=actor,
        )
    return meeting


@transaction.atomic
def hosting_record(
    *,
    actor: "User | None",
    meeting: Meeting,
    member: Member,
    status: str,
    effective_on: datetime.date | None = None,
    announced_at: Meeting | None = None,
    note: str = "",
) -> Hosting:
    """Record a member's first known relation to hosting a meeting (any status)."""
    require(may_record_meetings(actor), RECORD_MEETINGS)
    hosting = save_validated(
        Hosting(meeting=meeting, member=member, status=status, announced_at=announced_at),
        actor=actor,
        reason=note,
    )
    save_validated(
        HostingChange(
            hosting=hosting,
            status_from="",
            status_to=status,
            effective_on=effective_on,
            note=note,
            recorded_by=actor,
        ),
        actor=actor,
    )
    return hosting


@transaction.atomic
def hosting_change_status(
    *,
    actor: "User | None",
    hosting: Hosting,
    status: str,
    effective_on: datetime.date | None = None,
    note: str = "",
) -> Hosting:
    require(may_record_meetings(actor), RECORD_MEETINGS)
    hosting = Hosting.objects.select_for_update().get(pk=hosting.pk)
    check_transition(
        transitions=Hosting.TRANSITIONS,
        current=hosting.status,
        wanted=status,
        labels=dict(Hosting.Status.choices),
    )
    previous = hosting.status
    hosting.status = status
    save_validated(hosting, actor=actor, reason=note)
    save_validated(
        HostingChange(
            hosting=hosting,
            status_from=previous,
            status_to=status,
            effective_on=effective_on,
            note=note,
            recorded_by=actor,
        ),
        actor=actor,
    )
    return hosting


@transaction.atomic
def profile_set_language(*, actor: "User | None", user: "User", language: str) -> Profile:
    """Choose the language `user` reads Talanoa and their reminders in (recorded)."""
    require(
        may_change_profile(actor, user), gettext_lazy("Only the person chooses their language.")
    )
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.language == language:
        return profile
    profile.language = language
    return save_validated(profile, actor=actor, reason=f"Language set to {language}")
