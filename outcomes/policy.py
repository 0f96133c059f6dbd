"""Who may write outcome documents, outcomes and their links (forums/policy.py says how
policies are asked). Everything a meeting adopted is the secretariat's record."""

from typing import TYPE_CHECKING

from forums.policy import is_secretariat

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def may_record_outcomes(actor: "User | None") -> bool:
    """Record a document and its outcomes, import a statement, link outcomes."""
    return is_secretariat(actor)


def may_edit_outcome(actor: "User | None") -> bool:
    """Correct an outcome's text, kind, label, recipients, or move its status."""
    return is_secretariat(actor)
