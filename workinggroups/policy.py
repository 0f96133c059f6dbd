"""Who may write working groups, their tasks and progress updates (forums/policy.py says
how policies are asked).

- The secretariat sets groups up, names their members, carries work over, and may change
  anything.
- A group's lead adds and edits its tasks, and may restrict a task's label but never open
  it: a lead's edit never lets anyone read a task who could not read it before.
- A group's current members (the lead included) post progress updates.
- Everyone chooses their own reminders and calendar address.
"""

from typing import TYPE_CHECKING

from forums.access import audience_of
from forums.policy import is_secretariat
from forums.tlp import TLP

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from workinggroups.models import Task, WorkingGroup


def leads(actor: "User | None", group_id: int) -> bool:
    return actor is not None and group_id in audience_of(actor).led_groups


def sits_on(actor: "User | None", group_id: int) -> bool:
    return actor is not None and group_id in audience_of(actor).groups


def may_set_up_groups(actor: "User | None") -> bool:
    """Establish a working group, seat its members, close it."""
    return is_secretariat(actor)


def may_add_task(actor: "User | None", group: "WorkingGroup") -> bool:
    return is_secretariat(actor) or leads(actor, group.pk)


def may_edit_task(actor: "User | None", task: "Task") -> bool:
    """Change a task's details (title, lead, dates, outcomes, label, recipients)."""
    return is_secretariat(actor) or leads(actor, task.working_group_id)


def may_change_label(actor: "User | None", task: "Task", tlp: int) -> bool:
    """Opening a label (RED → AMBER → GREEN → CLEAR) is the secretariat's alone."""
    if is_secretariat(actor):
        return True
    return may_edit_task(actor, task) and tlp >= task.tlp


def may_name_recipients(
    actor: "User | None", task: "Task", named: set[int], *, was_label: int, was: set[int]
) -> bool:
    """Name these people (ids) as the TLP:RED recipients of `task`, which was labelled
    `was_label` and named `was`.

    A lead names only people who could read the task already: the group's current
    members when restricting it to RED. Who a RED task names is the secretariat's to
    change (a lead does not see the list, so could not know whom they removed).
    """
    if is_secretariat(actor):
        return True
    if was_label == TLP.RED:
        return named == was
    members = set(
        task.working_group.memberships.current()
        .filter(person_id__in=named)
        .values_list("person_id", flat=True)
    )
    return named <= members


def may_post_updates_in(actor: "User | None", group_id: int) -> bool:
    """Progress on a group's tasks is reported by its current members and the secretariat."""
    return is_secretariat(actor) or sits_on(actor, group_id)


def may_post_update(actor: "User | None", task: "Task") -> bool:
    return may_post_updates_in(actor, task.working_group_id)


def may_carry_over(actor: "User | None") -> bool:
    """Roll open work on to the next meeting: the secretariat, after the meeting."""
    return is_secretariat(actor)


def may_manage_own(actor: "User | None", person: "User") -> bool:
    """A person's reminders and calendar address: theirs (or the secretariat's)."""
    return is_secretariat(actor) or (actor is not None and actor.pk == person.pk)
