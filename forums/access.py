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

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from forums.models import Chair, ForumMembership, Profile
from forums.tlp import TLP

SECRETARIAT_GROUP = "Secretariat"


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
    """The user's standing, computed once per user object (three small queries)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_talanoa_audience", None)
    if cached is not None:
        return cached
    is_secretariat = user.is_superuser or user.groups.filter(name=SECRETARIAT_GROUP).exists()
    today = timezone.now().date()
    member_id = Profile.objects.filter(user=user).values_list("member_id", flat=True).first()
    green: set[int] = set()
    if member_id is not None:
        # A person represents a member directly or through the state their agency belongs to.
        green.update(
            ForumMembership.objects.filter(
                Q(member_id=member_id) | Q(member__agencies__id=member_id),
                Q(left_on__isnull=True) | Q(left_on__gte=today),
            ).values_list("forum_id", flat=True)
        )
    chaired = set(Chair.objects.filter(person=user).values_list("meeting__forum_id", flat=True))
    # Seats are read through the user's reverse relation: forums does not import
    # workinggroups (models depend one way).
    seats = list(
        user.wg_memberships.filter(left_on__isnull=True).values_list(
            "working_group_id", "role", "working_group__established_by__forum_id"
        )
    )
    groups = frozenset(group for group, _role, _forum in seats)
    led = frozenset(group for group, role, _forum in seats if role == "lead")
    group_forums = frozenset(forum for _group, _role, forum in seats)
    audience = Audience(
        user_id=user.pk,
        is_secretariat=is_secretariat,
        green_forums=frozenset(green) | frozenset(chaired) | group_forums,
        chaired_forums=frozenset(chaired),
        groups=groups,
        led_groups=led,
        group_forums=group_forums,
    )
    user._talanoa_audience = audience
    return audience


def tlp_rule(audience: Audience, *, label: str, forum: str, amber: Q, red: Q | None) -> Q:
    """A filter on a labelled row: `label` and `forum` are lookups to its TLP and forum id.

    `amber` says who reads the row at TLP:AMBER and `red` who reads it at TLP:RED (None:
    nobody but the secretariat). Both must be single-valued (FK lookups or `pk__in`
    subqueries), never a join through a many-to-many, which would repeat rows.
    """
    if audience.is_secretariat:
        return Q()
    rule = Q(**{label: TLP.CLEAR})
    if audience.green_forums:
        rule |= Q(**{label: TLP.GREEN, f"{forum}__in": audience.green_forums})
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
