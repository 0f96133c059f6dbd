"""Who may write the chair's summary and say which version leaders were sent
(forums/policy.py says how policies are asked).

- A meeting's chairs (the people acting as its chair, `Chair.person`) write its summary
  and mark a version of its report as sent; the secretariat does both for them. A chair
  of another meeting, even of the same forum, does neither.
- Anyone may have a report made within their clearance (reports.content.check_level).
"""

from typing import TYPE_CHECKING

from forums.models import Chair
from forums.policy import is_secretariat

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from forums.models import Meeting
    from reports.models import GeneratedReport


def chairs(actor: "User | None", meeting_id: int) -> bool:
    """The actor sits as one of the meeting's chairs (not merely in its forum)."""
    if actor is None or not actor.is_authenticated:
        return False  # a chair seat with nobody named has person NULL: never the anonymous
    return Chair.objects.filter(meeting_id=meeting_id, person_id=actor.pk).exists()


def speaks_for(actor: "User | None", meeting_id: int) -> bool:
    """One of the meeting's chairs, or the secretariat: who answers for what leaders get."""
    return is_secretariat(actor) or chairs(actor, meeting_id)


def may_write_summary(actor: "User | None", meeting: "Meeting") -> bool:
    return speaks_for(actor, meeting.pk)


def may_mark_sent(actor: "User | None", report: "GeneratedReport") -> bool:
    """Record that leaders were sent this version."""
    return speaks_for(actor, report.meeting_id)
