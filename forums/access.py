"""Who may see what: a person's standing in each forum, and the TLP rule built on it.

Every list, detail, count, search, export, report and reminder starts from a model's
`visible_to(user)` queryset method; those methods build their filter from the Audience
of the user and `tlp_rule()` below, so the rule is written once.

- TLP:CLEAR  anyone, signed in or not;
- TLP:GREEN  the forum's members and observers: people who represent a member (or an
             agency of one) of the forum, its chairs, and its working groups' members;
- TLP:AMBER  the working group (for its own work) and, for the forum's outcomes, the
             forum's chairs and working-group members;
- TLP:RED    the named recipients only;
- the secretariat (Secretariat group or superuser) sees everything.
"""

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import BigIntegerField, CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast

from forums.compiled_once import compiled_once
from forums.models import Chair, ForumMembership, Member, Profile
from forums.standing import Standing, kept_standing
from forums.tlp import TLP

# The name of the auth group whose members are the secretariat (made by a migration).
SECRETARIAT_GROUP = "Secretariat"


def secretariat_people():
    """The active accounts of the secretariat: its group's members and the superusers."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=SECRETARIAT_GROUP), is_active=True)
        .distinct()
    )


@dataclass(frozen=True)
class Audience:
    user_id: int | None = None
    is_secretariat: bool = False
    green_forums: frozenset[int] = field(default_factory=frozenset)
    chaired_forums: frozenset[int] = field(default_factory=frozenset)
    # Working groups the person currently sits on, and those they lead.
    groups: frozenset[int] = field(default_factory=frozenset)
    led_groups: frozenset[int] = field(default_factory=frozenset)
    group_forums: frozenset[int] = field(default_factory=frozenset)

    @property
    def amber_forums(self) -> frozenset[int]:
        """Forums whose TLP:AMBER outcomes this person reads: they chair or serve it."""
        return self.chaired_forums | self.group_forums

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def clearance_in(self, forum_id: int) -> TLP:
        """The most restricted label this person reads in general in a forum (RED aside)."""
        if self.is_secretariat or forum_id in self.amber_forums:
            return TLP.AMBER
        if forum_id in self.green_forums:
            return TLP.GREEN
        return TLP.CLEAR


ANONYMOUS = Audience()


def audience_of(user) -> Audience:
    """The user's standing, once per user object, from the cache or in one query.

    `is_superuser` is read from the user object itself (loaded for this request), so a
    superuser's standing needs no invalidation; an inactive account signs nobody in.
    """
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_talanoa_audience", None)
    if cached is not None:
        return cached
    standing = kept_standing(user.pk, lambda: _standing_of(user))
    audience = Audience(
        user_id=user.pk,
        is_secretariat=user.is_superuser or bool(standing["secretariat"]),
        green_forums=frozenset(standing["green"]),
        chaired_forums=frozenset(standing["chaired"]),
        groups=frozenset(standing["groups"]),
        led_groups=frozenset(standing["led"]),
        group_forums=frozenset(standing["group_forums"]),
    )
    user._talanoa_audience = audience
    return audience


# Standings whose querysets one process keeps, per kept builder (built_per_audience):
# the people of a working day; a kept queryset is large (docs/benchmark.md says how).
KEPT_AUDIENCES = 64
Q_ = TypeVar("Q_", bound=QuerySet)


def built_per_audience(build: Callable[..., Q_]) -> Callable[..., Q_]:
    """`build(user)`, a queryset that depends on the user's Audience alone, built once per
    Audience in this process and handed out as a fresh clone.

    Building a queryset that carries the TLP rule in a dozen correlated subqueries is
    Python work (resolving every lookup and expression) that a request paid in full each
    time, for the same query as the last request of the same standing. An Audience is
    read afresh on every request (forums/standing.py), so a changed standing is a new key
    and nothing is invalidated here; the oldest entries go beyond KEPT_AUDIENCES.

    `build` must read nothing but the Audience: not the request, and the clock only as
    forums.compiled_once.BUILT_AT, which each request's SQL replaces with its own time.
    Filters, ordering and paging are applied per request, to the clone.
    """
    kept: OrderedDict[Audience, Q_] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(build)
    def built(user) -> Q_:
        audience = audience_of(user)
        with lock:
            queryset = kept.get(audience)
            if queryset is not None:
                kept.move_to_end(audience)
        if queryset is None:
            queryset = compiled_once(build(user))
            with lock:
                kept[audience] = queryset
                if len(kept) > KEPT_AUDIENCES:
                    kept.popitem(last=False)
        return queryset.all()

    built.kept = kept  # type: ignore[attr-defined]  # read by tests
    return built


def _standing_of(user) -> Standing:
    """The user's standing as the cache keeps it (forums/standing.py): JSON values."""
    groups: set[int] = set()
    led: set[int] = set()
    green: set[int] = set()
    chaired: set[int] = set()
    group_forums: set[int] = set()
    secretariat = False
    for kind, forum_id, group_id, role in _standing_rows(user):
        if kind == "secretariat":
            secretariat = True
        elif kind == "delegate":
            green.add(forum_id)
        elif kind == "chair":
            chaired.add(forum_id)
        else:
            groups.add(group_id)
            group_forums.add(forum_id)
            if role == "lead":
                led.add(group_id)
    return {
        "secretariat": secretariat,
        "green": sorted(green | chaired | group_forums),
        "chaired": sorted(chaired),
        "groups": sorted(groups),
        "led": sorted(led),
        "group_forums": sorted(group_forums),
    }


def _standing_rows(user):
    """(kind, forum, working group, role) for each thing that gives the user standing.

    Four facts, asked as one UNION ALL: every API request starts here, and five round
    trips (and five plans) were a fifth of a task list's time.
    """
    # Typed NULLs: PostgreSQL types a UNION's columns pair by pair, and two untyped NULLs
    # make a text column that the seats' bigint then fails to match.
    no_id, no_role = Cast(Value(None), BigIntegerField()), Cast(Value(None), CharField())

    def rows(queryset, kind, forum, group=no_id, role=no_role):
        return (
            queryset.order_by()
            .annotate(kind=Value(kind, output_field=CharField()), f=forum, g=group, r=role)
            .values_list("kind", "f", "g", "r")
        )

    secretariat = rows(user.groups.filter(name=SECRETARIAT_GROUP), "secretariat", no_id)
    # A person represents a member directly or through the state their agency belongs to.
    # One IN over both, so that PostgreSQL looks the memberships up by member; "the member
    # or its agencies" as an OR of two joins read every membership of every forum.
    member = Profile.objects.filter(user=user).order_by().values("member_id")
    state = (
        Member.objects.filter(pk__in=member, parent__isnull=False).order_by().values("parent_id")
    )
    delegate = rows(
        ForumMembership.objects.current().filter(member_id__in=member.union(state, all=True)),
        "delegate",
        F("forum_id"),
    )
    chair = rows(Chair.objects.filter(person=user), "chair", F("meeting__forum_id"))
    # Seats are read through the user's reverse relation: forums does not import
    # workinggroups (models depend one way).
    seat = rows(
        user.wg_memberships.current(),
        "seat",
        F("working_group__established_by__forum_id"),
        F("working_group_id"),
        F("role"),
    )
    return secretariat.union(delegate, chair, seat, all=True)


def tlp_rule(
    audience: Audience,
    *,
    label: str,
    forum: str | None,
    amber: Q,
    red: Q | None,
    green: Q | None = None,
) -> Q:
    """A filter on a labelled row: `label` and `forum` are lookups to its TLP and forum id.

    `amber` says who reads the row at TLP:AMBER and `red` who reads it at TLP:RED (None:
    nobody but the secretariat). Both must be single-valued (FK lookups or `pk__in`
    subqueries), never a join through a many-to-many, which would repeat rows. `green`
    replaces "the row's forum is one of the person's" where the caller already knows
    which rows are in those forums (then `forum` is not needed).
    """
    if audience.is_secretariat:
        return Q()
    rule = Q(**{label: TLP.CLEAR})
    if audience.green_forums:
        if green is None:
            green = Q(**{f"{forum}__in": audience.green_forums})
        rule |= Q(**{label: TLP.GREEN}) & green
    if not audience.is_anonymous:
        rule |= Q(**{label: TLP.AMBER}) & amber
        if red is not None:
            rule |= Q(**{label: TLP.RED}) & red
    return rule


def named_in(recipients_through, *, audience: Audience, column: str, prefix: str = "") -> Q:
    """`pk__in` the rows that name this person among their TLP:RED recipients.

    `prefix` reaches the row from another (e.g. "target_outcome__" from a link).
    """
    named = recipients_through.objects.filter(user_id=audience.user_id).values(column)
    return Q(**{f"{prefix}pk__in": named})
