"""The writes of the forums app: meetings with their chairs, hosting moves, a person's settings."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from forums.audit import check_transition, save_validated
from forums.models import (
    ApiToken,
    Chair,
    Forum,
    Hosting,
    HostingChange,
    Meeting,
    Member,
    Profile,
)
from forums.policy import (
    may_change_profile,
    may_end_tokens,
    may_issue_token,
    may_record_meetings,
    require,
)
from forums.tokens import password_seal, token_lifetime

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


DEFAULT_TOKEN_NAME = gettext_lazy("API sign-in")


@transaction.atomic
def api_token_issue(*, actor: "User | None", user: "User", name: str = "") -> tuple[ApiToken, str]:
    """Issue `user` a new token named for the device or script; return it and its key.

    The key is returned once and never stored: only its digest is. A live token of the
    same name is ended (a device signing in again replaces its own token), so a script
    that signs in on every run leaves one live token, not one per run.
    """
    require(may_issue_token(actor, user), gettext_lazy("Only an active person gets a token."))
    name = " ".join(name.split()) or str(DEFAULT_TOKEN_NAME)
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": gettext_lazy("The name is too long.")})
    now = timezone.now()
    user.api_tokens.filter(name=name, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor, ended_because=ApiToken.Ended.REPLACED
    )
    # knox's manager draws the key, stores its digest and prefix, and returns the key.
    token, key = ApiToken.objects.create(
        user=user,
        expiry=token_lifetime(),
        name=name,
        password_seal=password_seal(user.password),
    )
    return token, key


def _end_tokens(tokens, *, actor: "User | None", because: str) -> int:
    # The row itself records who ended it, when and why (tokens keep no history table).
    return ApiToken.objects.filter(pk__in=tokens.values("pk"), ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=actor, ended_because=because
    )


@transaction.atomic
def api_token_revoke(*, actor: "User | None", token: ApiToken) -> None:
    """End one token now (its owner on My settings, or the secretariat in the admin)."""
    require(
        may_end_tokens(actor, token.user),
        gettext_lazy("Only the token's owner or the secretariat revokes it."),
    )
    _end_tokens(ApiToken.objects.filter(pk=token.pk), actor=actor, because=ApiToken.Ended.REVOKED)


@transaction.atomic
def api_tokens_end_on_deactivation(*, actor: "User | None", user: "User") -> int:
    """End every token of a deactivated account, so reactivating it revives none."""
    require(may_end_tokens(actor, user), gettext_lazy("Only the secretariat deactivates accounts."))
    return _end_tokens(user.api_tokens.all(), actor=actor, because=ApiToken.Ended.DEACTIVATED)
