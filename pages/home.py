"""A signed-in person's home: their forums, their standing in each, and what needs them.

Who someone is in a forum comes from what access already knows (forums.access.Audience:
the secretariat, the forums they chair, the groups they sit on or lead, the forums whose
TLP:GREEN they read) and, for the words only, from the rows behind it: which meeting they
chaired, which group, which member they sit for. A fixed number of queries however many
forums, meetings and tasks (tests/pages/test_home.py).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forums.access import audience_of
from forums.models import Chair, Forum, ForumMembership, Meeting
from workinggroups.models import Task, WorkingGroup


@dataclass
class Need:
    """A line of a forum's card: a role or a thing that needs the person, with its page."""

    text: str
    url: str = ""


@dataclass
class ForumCard:
    forum: Forum
    roles: list[Need] = field(default_factory=list)
    latest: Meeting | None = None
    upcoming: Meeting | None = None
    needs: list[Need] = field(default_factory=list)


def person_home(user, *, member, now: datetime.datetime) -> dict:
    """What the home page shows `user`, who represents `member` (or None)."""
    audience = audience_of(user)
    forums = list(Forum.objects.order_by("acronym"))
    mine = [f for f in forums if audience.is_secretariat or f.pk in audience.green_forums]
    cards = {forum.pk: ForumCard(forum) for forum in mine}
    if audience.is_secretariat:
        for card in cards.values():
            card.roles.append(
                Need(_("Secretariat"), reverse("admin:index") if user.is_staff else "")
            )
    _add_delegations(cards, member, audience)
    chaired = _add_chairs(cards, user)
    _add_groups(cards, user, audience)
    meetings = Meeting.objects.latest_held_and_next(list(cards), today=now.date())
    for forum_id, (latest, upcoming) in meetings.items():
        card = cards[forum_id]
        for meeting in (latest, upcoming):
            if meeting is not None:
                meeting.forum = card.forum  # its name reads the acronym: no query per row
        card.latest, card.upcoming = latest, upcoming
    _add_needs(cards, user, audience, chaired=chaired, now=now)
    return {
        "cards": list(cards.values()),
        "other_forums": [f for f in forums if f.pk not in cards],
        "open_work": Task.objects.visible_to(user).of_person(user).open().count(),
    }


def _add_delegations(cards: dict[int, ForumCard], member, audience) -> None:
    """The member the person sits for at each forum (it or, for an agency, its state),
    within the forums access already says they read."""
    if member is None:
        return
    sitting_for = {member.pk, member.parent_id} - {None}
    seats = (
        ForumMembership.objects.current()
        .filter(forum_id__in=audience.green_forums, member_id__in=sitting_for)
        .select_related("member")
    )
    for seat in seats:
        if seat.role == ForumMembership.Role.OBSERVER:
            text = _("Observer for %(member)s") % {"member": seat.member.name}
        else:
            text = _("Delegate of %(member)s") % {"member": seat.member.name}
        cards[seat.forum_id].roles.append(Need(text))


def _add_chairs(cards: dict[int, ForumCard], user) -> list[Chair]:
    seats = list(
        Chair.objects.filter(person=user, meeting__forum_id__in=list(cards))
        .select_related("meeting")
        .order_by("-meeting__sequence")
    )
    for seat in seats:
        card = cards[seat.meeting.forum_id]
        seat.meeting.forum = card.forum
        text = _("%(role)s, %(meeting)s") % {
            "role": seat.get_role_display(),
            "meeting": seat.meeting,
        }
        card.roles.append(Need(text, reverse("pages:meeting", args=[seat.meeting_id])))
    return seats


def _add_groups(cards: dict[int, ForumCard], user, audience) -> None:
    groups = (
        WorkingGroup.objects.visible_to(user)
        .filter(pk__in=audience.groups)
        .select_related("established_by")
        .order_by("name")
    )
    for group in groups:
        card = cards.get(group.established_by.forum_id)
        if card is None:
            continue
        if group.pk in audience.led_groups:
            text = _("Lead, %(group)s") % {"group": group.name}
        else:
            text = _("Member, %(group)s") % {"group": group.name}
        card.roles.append(Need(text, reverse("pages:working-group", args=[group.pk])))


def _add_needs(cards: dict[int, ForumCard], user, audience, *, chaired, now) -> None:
    """Stalled work the person leads, work ready for ratification, the chair's report."""
    led = Q(lead=user) | Q(working_group_id__in=audience.led_groups)
    stalled = Counter(
        Task.objects.visible_to(user)
        .filter(led)
        .stalled(user, now)
        .values_list("working_group__established_by__forum_id", flat=True)
    )
    for forum_id, count in stalled.items():
        if forum_id in cards:
            text = ngettext(
                "%(count)d stalled task you lead", "%(count)d stalled tasks you lead", count
            ) % {"count": count}
            cards[forum_id].needs.append(Need(text, reverse("pages:my-work")))
    _add_ready(cards, user)
    reports = {seat.meeting for seat in chaired}
    if audience.is_secretariat:
        reports |= {card.latest for card in cards.values() if card.latest is not None}
    for meeting in sorted(reports, key=lambda m: -m.sequence):
        text = _("The chair's report of the %(meeting)s") % {"meeting": meeting}
        url = reverse("pages:meeting", args=[meeting.pk]) + "#report"
        cards[meeting.forum_id].needs.append(Need(text, url))


def _add_ready(cards: dict[int, ForumCard], user) -> None:
    """Work ready for ratification, by the meeting it goes to (whose page lists it)."""
    forum = "working_group__established_by__forum_id"
    ready = (
        Task.objects.visible_to(user)
        .filter(status=Task.Status.READY, **{f"{forum}__in": list(cards)})
        .values(forum, "reports_to_id", "reports_to__sequence", "reports_to__title")
        .annotate(count=Count("pk"))
        .order_by("reports_to__sequence")
    )
    for row in ready:
        card, count = cards[row[forum]], row["count"]
        if row["reports_to_id"] is None:
            text = ngettext(
                "%(count)d task ready for ratification",
                "%(count)d tasks ready for ratification",
                count,
            ) % {"count": count}
            url = reverse("pages:forum-implementation", args=[card.forum.acronym])
        else:
            meeting = Meeting.name_from(
                row["reports_to__title"], row["reports_to__sequence"], card.forum.acronym
            )
            text = ngettext(
                "%(count)d task ready for ratification at the %(meeting)s",
                "%(count)d tasks ready for ratification at the %(meeting)s",
                count,
            ) % {"count": count, "meeting": meeting}
            url = reverse("pages:meeting", args=[row["reports_to_id"]])
        card.needs.append(Need(text, url))
