"""What the outcome page shows of an outcome's lineage: the chain both ways, and the work."""

from outcomes.lineage import builds_on, taken_forward_by
from outcomes.models import Outcome
from workinggroups.models import Task, WorkingGroup


def lineage_of(outcome: Outcome, user) -> dict:
    tasks = (
        Task.objects.visible_to(user)
        .serving([outcome.pk])
        .select_related("working_group")
        .order_by("working_group__name", "due_on", "pk")
    )
    groups = WorkingGroup.objects.visible_to(user).filter(establishing_outcome=outcome)
    return {
        "builds_on": builds_on(outcome, user),
        "taken_forward_by": taken_forward_by(outcome, user),
        "serving_tasks": tasks,
        "established_groups": groups,
    }
