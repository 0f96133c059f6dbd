"""Planted TLP:AMBER and TLP:RED rows in the JHoPS record, each with a distinctive word.

Shared by the report tests (content, API, admin): a report at a lower level must hold none
of these words, and a report at AMBER must hold the AMBER ones and never the RED ones.
"""

import dataclasses
import datetime

from django.contrib.auth import get_user_model

from fixtures.jhops import WORKING_GROUP_NAME
from forums.models import Meeting
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument
from outcomes.services import outcome_add
from workinggroups.models import WorkingGroup
from workinggroups.services import task_add, task_update_status

AMBER_WORDS = ("Tarsier", "Quokka", "Cassowary")
RED_WORDS = ("Narwhal", "Axolotl")


def user(username):
    """A fresh object each time: the audience is cached per user object."""
    return get_user_model().objects.get(username=username)


def koror():
    return Meeting.objects.get(forum__acronym="JHOPS", sequence=5)


def said(report) -> str:
    """Everything the report holds, as one text to search."""
    return repr(dataclasses.asdict(report))


def plant(officer):
    """AMBER and RED rows with distinctive words, where a report would show them."""
    group = WorkingGroup.objects.get(name=WORKING_GROUP_NAME)
    document = OutcomeDocument.objects.get(meeting=koror())
    chair = user("chair")
    # An AMBER task, blocked and overdue: it would count in four places.
    amber = task_add(
        actor=officer,
        working_group=group,
        title="Tarsier surveillance arrangement",
        due_on=datetime.date(2024, 1, 31),
        tlp=TLP.AMBER,
        outcomes=[document.outcomes.get(number="6")],
    )
    task_update_status(actor=officer, task=amber, status="in_progress", note="Begun.")
    task_update_status(actor=officer, task=amber, status="blocked", note="Waiting on Tarsier.")
    # A RED task, ready for ratification, the chair named among its recipients.
    red = task_add(
        actor=officer,
        working_group=group,
        title="Narwhal source protection",
        due_on=datetime.date(2024, 1, 31),
        tlp=TLP.RED,
        recipients=[chair],
    )
    task_update_status(actor=officer, task=red, status="in_progress", note="Narwhal begun.")
    task_update_status(actor=officer, task=red, status="ready", note="Narwhal done.")
    # An AMBER note on a GREEN task (its status untouched), and AMBER and RED outcomes.
    green_task = group.tasks.get(title__startswith="Consider a regional treaty")
    task_update_status(actor=officer, task=green_task, note="Cassowary briefing.", tlp=TLP.AMBER)
    outcome_add(
        actor=officer,
        document=document,
        number="11",
        text="Members agreed on the Quokka protocol.",
        kind=Outcome.Kind.DECISION,
        tlp=TLP.AMBER,
    )
    outcome_add(
        actor=officer,
        document=document,
        number="12",
        text="Members agreed on the Axolotl channel.",
        kind=Outcome.Kind.DECISION,
        tlp=TLP.RED,
    )
