"""The writes of the workinggroups app: groups, their members, tasks and every task update."""

import datetime
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forums.access import built_per_audience
from forums.audit import attribute_change, lock_for_edit, refuse_if_changed, save_validated
from forums.models import Meeting, Member
from forums.policy import is_secretariat, require
from forums.tlp import TLP
from outcomes.importing.drafts import Draft
from outcomes.importing.services import outcome_statement_import
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from workinggroups import policy
from workinggroups.models import (
    CalendarFeed,
    Reason,
    ReminderPreference,
    Task,
    TaskUpdate,
    WorkingGroup,
    WorkingGroupMembership,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SET_UP_GROUPS = gettext_lazy("Only the secretariat sets working groups up and names their members.")
EDIT_TASKS = gettext_lazy("Only the working group's lead or the secretariat may change this task.")


@dataclass(frozen=True)
class Seat:
    person: object
    represents: Member | None = None
    role: str = WorkingGroupMembership.Role.MEMBER


@transaction.atomic
def working_group_establish(
    *,
    actor: "User | None",
    name: str,
    established_by: Meeting,
    mandate: str,
    reports_to: Meeting | None = None,
    establishing_outcome: Outcome | None = None,
    tlp: int | None = None,
    seats: Sequence[Seat] = (),
) -> WorkingGroup:
    require(policy.may_set_up_groups(actor), SET_UP_GROUPS)
    group = WorkingGroup(
        name=name,
        established_by=established_by,
        mandate=mandate,
        reports_to=reports_to,
        establishing_outcome=establishing_outcome,
    )
    if tlp is not None:
        group.tlp = tlp
    save_validated(group, actor=actor)
    for seat in seats:
        working_group_add_member(
            actor=actor,
            working_group=group,
            person=seat.person,
            represents=seat.represents,
            role=seat.role,
        )
    return group


def working_group_add_member(
    *,
    actor: "User | None",
    working_group: WorkingGroup,
    person,
    represents: Member | None = None,
    role: str = WorkingGroupMembership.Role.MEMBER,
    joined_on: datetime.date | None = None,
) -> WorkingGroupMembership:
    require(policy.may_set_up_groups(actor), SET_UP_GROUPS)
    if represents is None and hasattr(person, "profile"):
        represents = person.profile.member
    return save_validated(
        WorkingGroupMembership(
            working_group=working_group,
            person=person,
            represents=represents,
            role=role,
            joined_on=joined_on,
        ),
        actor=actor,
    )


@transaction.atomic
def working_group_add_members(
    *, actor: "User | None", working_group: WorkingGroup, people: Sequence
) -> list[WorkingGroupMembership]:
    """Seat several people at once, each representing the member their profile names:
    all of them or, on the first refusal, none."""
    return [
        working_group_add_member(actor=actor, working_group=working_group, person=person)
        for person in people
    ]


# One message whether the person does not exist or is not a member: a lead's form must
# not tell who has an account.
NOT_A_MEMBER = gettext_lazy("The lead must be a current member of the working group.")


def _check_lead_sits_on_group(task: Task) -> None:
    if task.lead_id is None:
        return
    if not task.working_group.memberships.current().filter(person_id=task.lead_id).exists():
        raise ValidationError({"lead": [NOT_A_MEMBER]})


@transaction.atomic
def task_add(
    *,
    actor: "User | None",
    working_group: WorkingGroup,
    title: str,
    description: str = "",
    outcomes: Sequence[Outcome] = (),
    lead=None,
    reports_to: Meeting | None = None,
    due_on: datetime.date | None = None,
    tlp: int | None = None,
    recipients: Sequence["User"] = (),
) -> Task:
    """Add a task; it reports to the group's meeting and falls due as it opens, unless told."""
    require(
        policy.may_add_task(actor, working_group),
        _("Only the working group's lead or the secretariat may add its tasks."),
    )
    if working_group.closed_on is not None:
        raise ValidationError({"working_group": [_("This working group is closed.")]})
    reports_to = reports_to or working_group.reports_to
    if due_on is None and reports_to is not None:
        due_on = reports_to.start_date
    task = Task(
        working_group=working_group,
        title=title,
        description=description,
        lead=lead,
        reports_to=reports_to,
        due_on=due_on,
        tlp=working_group.tlp if tlp is None else tlp,
    )
    _check_lead_sits_on_group(task)
    named = {person.pk for person in recipients}
    # A new task is as open as its group until its label says otherwise.
    _check_recipients(actor, task, before=(working_group.tlp, set()), named=named)
    save_validated(task, actor=actor)
    _set_outcomes(actor, task, outcomes)
    task.recipients.set(named)
    return task


# "agreed to establish an intersessional working group", "will set up a working group": a
# verb that makes the group, then its article, then at most a few words naming the kind.
# "the established working group" or "the working group established in 2022" name a group
# that exists already, so the article must follow the verb.
ESTABLISHING = re.compile(
    r"\b(?:establish(?:es|ed|ing)?|set(?:s|ting)?\s+up|creat(?:e|es|ed|ing)|form(?:s|ed|ing)?)"
    r"\s+(?:an?|one|the)\s+(?:[\w'\u2019-]+\s+){0,4}?working\s+group\b",
    re.IGNORECASE,
)
# What ends an item only because it sits in a list: "; and", "; or", a lone "and", ";",
# ",", "." and the "including:" that opened a list of its own.
LIST_TAIL = re.compile(r"(?:[\s;,.:]+|\s+(?:and|or)|\bincluding\s*[;:]?)$", re.IGNORECASE)


def establishes_working_group(text: str) -> bool:
    """Whether a paragraph's words establish a working group (its items then being the
    group's tasks): the review step ticks the option for the secretariat to confirm."""
    return ESTABLISHING.search(text) is not None


def task_title_from_item(text: str) -> str:
    """A task's title from a list item: "development of a regional ToR; and" becomes
    "Development of a regional ToR", the list's punctuation dropped, a capital first."""
    title = " ".join(text.split())
    while True:
        shorter = LIST_TAIL.sub("", title)
        if shorter == title or not shorter:
            break
        title = shorter
    title = Truncator(title).chars(Task.TITLE_MAX_LENGTH)
    return title[:1].upper() + title[1:]


@transaction.atomic
def working_group_from_outcome(
    *, actor: "User | None", outcome: Outcome, name: str = "", tlp: int | None = None
) -> WorkingGroup:
    """Set up the working group an outcome establishes, its sub-items becoming its tasks.

    As a communiqué words it: "agreed to establish an intersessional working group … to
    progress outcomes for ratification at the next Meeting, including: …". The group is
    established by the outcome's meeting, under that outcome, with its text as mandate; it
    reports to the forum's next meeting when that is recorded. Each sub-item is one task,
    serving the sub-item and the outcomes it links to ("pursuant to Outcome 16 of …").
    """
    require(policy.may_set_up_groups(actor), SET_UP_GROUPS)
    children = list(outcome.children.order_by("position"))
    if not children:
        raise ValidationError(
            {
                "establishing_outcome": [
                    _("%(code)s has no sub-items to become the working group's tasks.")
                    % {"code": outcome.citation_code}
                ]
            }
        )
    meeting = outcome.document.meeting
    name = name or group_name_under(outcome)
    group = working_group_establish(
        actor=actor,
        name=name,
        established_by=meeting,
        mandate=outcome.text,
        reports_to=meeting.next_meeting,
        establishing_outcome=outcome,
        tlp=group_label_under(outcome) if tlp is None else tlp,
    )
    serves = _outcomes_each_serves(children)
    for child in children:
        title = task_title_from_item(child.text)
        try:
            task_add(
                actor=actor,
                working_group=group,
                title=title,
                # The item's own words, when the title had to cut them short.
                description=child.text if len(child.text) > Task.TITLE_MAX_LENGTH else "",
                outcomes=serves[child.pk],
            )
        except ValidationError as error:
            raise ValidationError(
                {"outcomes": [f"{child.number}: {message}" for message in error.messages]}
            ) from error
    return group


# What follows "establish a working group" and names it: "on JHoPS governance", up to the
# punctuation or the words that go on to its tasks, members or timing.
GROUP_PURPOSE = re.compile(
    r"\s+((?:on|for|of)\s+[^,;:.()]+?)"
    r"(?=\s*(?:[,;:.(]|$)|\s+(?:with|including|comprising|which|that|to|chaired|led)\b)",
    re.IGNORECASE,
)


def group_name_under(outcome: Outcome) -> str:
    """The name a group set up under `outcome` gets until the secretariat gives another:
    "Working group on JHoPS governance" when the words say what it is for."""
    established = ESTABLISHING.search(outcome.text)
    purpose = established and GROUP_PURPOSE.match(outcome.text, established.end())
    # Kept text: in the site's language, whoever reads the admin.
    with translation.override(settings.LANGUAGE_CODE):
        if purpose:
            name = _("Working group %(purpose)s") % {"purpose": purpose.group(1)}
            return name[: WorkingGroup._meta.get_field("name").max_length]
        return _("Working group under %(code)s") % {"code": outcome.citation_code}


def group_label_under(outcome: Outcome) -> int:
    """Its mandate is the outcome's text: the group is never more open than the outcome."""
    return max(WorkingGroup._meta.get_field("tlp").default, outcome.tlp)


def _outcomes_each_serves(items: list[Outcome]) -> dict[int, list[Outcome]]:
    """Each sub-item's task serves the sub-item and the outcomes it links to, in that order."""
    linked = (
        OutcomeLink.objects.filter(source__in=items, target_outcome__isnull=False)
        .order_by("pk")
        .values_list("source_id", "target_outcome_id")
    )
    serves: dict[int, list[int]] = {item.pk: [item.pk] for item in items}
    for source_id, target_id in linked:
        if target_id not in serves[source_id]:
            serves[source_id].append(target_id)
    targets = Outcome.objects.in_bulk([pk for pks in serves.values() for pk in pks])
    return {item_id: [targets[pk] for pk in pks] for item_id, pks in serves.items()}


@transaction.atomic
def statement_import_setting_up_groups(
    *, actor: "User | None", draft: Draft, groups: Mapping[str, str], **document
) -> tuple[OutcomeDocument, list[WorkingGroup]]:
    """Import a reviewed outcome statement and set up the working groups it establishes.

    `groups` maps the number of each paragraph that establishes a group ("6") to the
    group's name ("" for the default); its sub-items become the group's tasks. All of it
    or nothing.
    """
    if groups:
        require(policy.may_set_up_groups(actor), SET_UP_GROUPS)
    imported = outcome_statement_import(actor=actor, draft=draft, **document)
    made = [
        working_group_from_outcome(
            actor=actor, outcome=imported.outcomes.get(number=number), name=name
        )
        for number, name in groups.items()
    ]
    return imported, made


# What a working-group lead (or the secretariat) may change in a task's details.
EDITABLE_TASK_FIELDS = frozenset(
    {"title", "description", "lead", "reports_to", "due_on", "tlp", "outcomes", "recipients"}
)


@transaction.atomic
def task_edit(*, actor: "User | None", task: Task, expected_version: int | None, **changes) -> Task:
    """Change a task's details, refusing if it changed since the editor read `expected_version`.

    Status and progress move only through `task_update_status`. Outcomes the editor may
    not see stay linked, whatever the request says.
    """
    unknown = set(changes) - EDITABLE_TASK_FIELDS
    if unknown:
        raise ValidationError({field: [_("This field cannot be edited.")] for field in unknown})
    task = lock_for_edit(
        Task.objects.all(), pk=task.pk, expected_version=expected_version, reader=actor
    )
    require(policy.may_edit_task(actor, task), EDIT_TASKS)
    if not changes:
        return task  # nothing to change: no new version, no empty history row
    outcomes = changes.pop("outcomes", None)
    recipients = changes.pop("recipients", None)
    if "tlp" in changes:
        require(
            policy.may_change_label(actor, task, changes["tlp"]),
            _("Only the secretariat may open a task's label; a lead may only restrict it."),
        )
    before = (task.tlp, set(task.recipients.values_list("pk", flat=True)))
    named = before[1] if recipients is None else {person.pk for person in recipients}
    for name, value in changes.items():
        setattr(task, name, value)
    _check_recipients(actor, task, before=before, named=named)
    _check_lead_sits_on_group(task)
    save_validated(task, actor=actor)
    if outcomes is not None:
        _set_outcomes(actor, task, outcomes)
    if named != before[1]:
        task.recipients.set(named)
    return task


def _check_recipients(actor, task: Task, *, before: tuple[int, set[int]], named: set[int]):
    """Who a task names when it is TLP:RED: at least one person, and never someone the
    editor may not name (policy.may_name_recipients); a lead names themself, or the task
    would vanish from their own view."""
    was_label, was_named = before
    if task.tlp != TLP.RED:
        return
    if not named:
        raise ValidationError({"recipients": [_("A TLP:RED task names at least one person.")]})
    if not policy.may_name_recipients(actor, task, named, was_label=was_label, was=was_named):
        require(
            was_label != TLP.RED,
            _("Only the secretariat changes who is named on a TLP:RED task."),
        )
        raise ValidationError({"recipients": [NOT_NAMEABLE]})
    if not is_secretariat(actor) and (actor is None or actor.pk not in named):
        raise ValidationError(
            {"recipients": [_("Name yourself too: a TLP:RED task is read by its named people.")]}
        )


# One message whether the person does not exist or may not be named here.
NOT_NAMEABLE = gettext_lazy("Name current members of the working group.")


def _set_outcomes(actor, task: Task, outcomes: Sequence[Outcome]) -> None:
    """Link the task to `outcomes`, keeping the links to outcomes the editor may not see."""
    wanted = {outcome.pk for outcome in outcomes}
    if is_secretariat(actor):
        task.outcomes.set(wanted)
        return
    visible = Outcome.objects.visible_to(actor).values("pk")
    if Outcome.objects.filter(pk__in=wanted).exclude(pk__in=visible).exists():
        raise ValidationError({"outcomes": [_("Link only outcomes you may read.")]})
    hidden = task.outcomes.exclude(pk__in=visible).values_list("pk", flat=True)
    task.outcomes.set(wanted | set(hidden))


@transaction.atomic
def task_update_status(
    *,
    actor: "User | None",
    task: Task,
    status: str | None = None,
    note: str = "",
    progress: int | None = None,
    tlp: int | None = None,
    expected_version: int | None = None,
    tasks: "QuerySet[Task] | None" = None,
) -> TaskUpdate:
    """Post a progress update and, if `status` differs, move the task. The one door.

    `expected_version` is the version (ETag) the author last saw; if someone else has
    changed the task since, PreconditionFailed is raised and nothing is written.

    `tasks` is where the task is read from under the lock (every task, unless told): the
    API reads it from those its author may see (Task.DoesNotExist otherwise), with what its
    answer shows, and answers from that read. It must read `with_changes_seen_by(actor)`.
    The task comes back as `update.task`, moved, with its `outcome_links` (each with
    whether the author may read the outcome).
    """
    # Lock the row: two people moving the same task serialise here, and the second sees
    # the first one's status when its move is checked against the map.
    task = lock_for_edit(
        Task.objects.with_changes_seen_by(actor) if tasks is None else tasks,
        pk=task.pk,
        expected_version=None,
        reader=actor,
    )
    # Who may not post is told so, not whether their copy of the task is stale.
    require(
        policy.may_post_update(actor, task),
        _("Only members of the task's working group may post updates."),
    )
    # The version as the author knows it came with the row (with_changes_seen_by).
    refuse_if_changed(task, expected_version=expected_version, seen_version="seen_version")
    update = _checked_update(
        actor=actor, task=task, status=status, note=note.strip(), progress=progress, tlp=tlp
    )
    task.status = update.status_to
    task.progress = update.progress
    # Only status and progress move here, both checked above. Saving just those fields
    # keeps an update possible on a task whose meeting has since moved earlier than its
    # due date: the officer fixes that date; the group's reporting must not stop meanwhile.
    task.version += 1  # the row is locked above, so this is the next version
    # Not `updated_at`: that dates the task's details, which every reader of it reads; the
    # update dates itself, for those who may read it (TaskQuerySet.with_changes_seen_by).
    task.save_without_historical_record(  # type: ignore[attr-defined]
        update_fields=["status", "progress", "version"]
    )
    task.outcome_links = _outcome_links(task, reader=actor)
    attribute_change(task, actor=actor, reason=update.note)
    _record_history(task, links=task.outcome_links)
    update.save()
    return update


def _checked_update(
    *, actor, task: Task, status: str | None, note: str, progress: int | None, tlp: int | None
) -> TaskUpdate:
    """The update `actor` asks for, checked against the task's rules, not yet saved."""
    previous = task.status
    status, progress = task.checked_update(status=status, progress=progress, note=note)
    update = TaskUpdate(
        task=task,
        author=actor,
        status_from=previous,
        status_to=status,
        progress=progress,
        note=note,
        tlp=task.tlp if tlp is None else tlp,
    )
    if update.tlp < task.tlp:
        raise ValidationError({"tlp": [_("An update cannot be more open than its task.")]})
    # Its task is the row locked above and its author the acting user: looking them up
    # again would find them. The constraint on progress is its field's validator, checked.
    update.full_clean(exclude=["task", "author"], validate_constraints=False)
    return update


def _outcome_links(task: Task, *, reader) -> list:
    """The task's links to its outcomes in the outcomes' order, each outcome with its
    document and `readable` (whether `reader` may read it): the history row copies every
    link, the API's answer shows the readable outcomes. One query for both."""
    return list(_outcome_links_read_by(reader).filter(task_id=task.pk))


@built_per_audience
def _outcome_links_read_by(reader):
    """Links of tasks to outcomes, each with `readable` for `reader`; kept per standing."""
    readable = Outcome.objects.visible_to(reader).filter(pk=OuterRef("outcome_id"))
    return (
        Task.outcomes.through.objects.select_related("outcome__document")
        .annotate(readable=Exists(readable))
        .order_by(*(f"outcome__{name}" for name in Outcome._meta.ordering or ()), "pk")
    )


def _record_history(task: Task, *, links: Sequence) -> None:
    """Task.history's row for the save just made, with the task's outcomes as they stand:
    what simple-history writes on `save()` (HistoricalRecords.create_historical_record),
    its links copied from those already read instead of read again."""
    history_model = Task.history.model
    row = history_model(
        history_date=timezone.now(),
        history_type="~",
        history_user=task._history_user,  # type: ignore[attr-defined]
        history_change_reason=task._change_reason,  # type: ignore[attr-defined]
        **{field.attname: getattr(task, field.attname) for field in history_model.tracked_fields},
    )
    row.save()
    # Named as the model it is, so that the audit scan (tests/test_audit.py) sees a history
    # table written, not an audited one.
    HistoricalTask_outcomes = history_model._meta.get_field("historicaltask_outcomes").related_model
    HistoricalTask_outcomes.objects.bulk_create(
        HistoricalTask_outcomes(
            history=row, id=link.pk, task_id=link.task_id, outcome_id=link.outcome_id
        )
        for link in links
    )


@transaction.atomic
def task_carry_over(*, actor: "User | None", task: Task, to_meeting: Meeting | None = None) -> Task:
    """Roll an open task on to the next meeting; it falls due as that meeting opens."""
    require(policy.may_carry_over(actor), _("Only the secretariat carries work over."))
    # Lock the task row only: PostgreSQL refuses FOR UPDATE on the outer join that the
    # nullable `reports_to` needs.
    task = Task.objects.select_for_update(of=("self",)).select_related("reports_to").get(pk=task.pk)
    if not task.is_open:
        raise ValidationError({"status": [_("Only open work carries over.")]})
    current = task.reports_to
    if to_meeting is None:
        if current is None:
            raise ValidationError({"reports_to": [_("Choose the meeting it carries over to.")]})
        to_meeting = current.next_meeting
        if to_meeting is None:
            raise ValidationError(
                {
                    "reports_to": [
                        _("Record the meeting after %(meeting)s before carrying over.")
                        % {"meeting": current}
                    ]
                }
            )
    if current is not None and to_meeting.sequence <= current.sequence:
        raise ValidationError({"reports_to": [_("Work carries over to a later meeting.")]})
    task.reports_to = to_meeting
    task.due_on = to_meeting.start_date
    # Kept text, shown as written to every reader: always in the site's language (meeting
    # names included), whatever language the person carrying the task over reads.
    with translation.override(settings.LANGUAGE_CODE):
        reason = f"Carried over from {current} to {to_meeting}"
        note = f"Carried over from {current or 'no meeting'} to {to_meeting}."
    save_validated(task, actor=actor, reason=reason)
    TaskUpdate.objects.create(
        task=task,
        author=actor,
        status_from=task.status,
        status_to=task.status,
        progress=task.progress,
        note=note,
        tlp=task.tlp,
    )
    return task


# --- reminder preferences ----------------------------------------------------------------


def reminder_preference_for(person) -> ReminderPreference:
    """The person's preferences, created (all on, with a fresh unsubscribe secret) if new."""
    preference = ReminderPreference.objects.filter(person=person).first()
    if preference is not None:
        return preference
    # 256 random bits: the link works without a login, so it must not be guessable.
    preference, _created = ReminderPreference.objects.get_or_create(
        person=person, defaults={"unsubscribe_token": secrets.token_urlsafe(32)}
    )
    return preference


@transaction.atomic
def reminder_preferences_update(
    *, actor: "User | None", preference: ReminderPreference, **wanted
) -> ReminderPreference:
    """Turn reasons on or off (`meeting_digest=False`, …); recorded with who and when."""
    require(
        policy.may_manage_own(actor, preference.person),
        _("Only the person themself chooses their reminders."),
    )
    unknown = set(wanted) - set(Reason.values)
    if unknown:
        raise ValidationError({name: [_("Not a kind of reminder.")] for name in unknown})
    for reason, on in wanted.items():
        setattr(preference, reason, bool(on))
    return save_validated(preference, actor=actor)


# --- calendar feed -----------------------------------------------------------------------


def calendar_feed_for(person) -> CalendarFeed:
    """The person's private feed, created with a fresh secret the first time it is asked for."""
    feed = CalendarFeed.objects.filter(person=person).first()
    if feed is not None:
        return feed
    try:
        # 256 random bits: calendar programs fetch the URL without a login.
        return save_validated(
            CalendarFeed(person=person, token=secrets.token_urlsafe(32)), actor=person
        )
    except ValidationError:
        # Two first requests at once: the one-per-person constraint kept the other's.
        feed = CalendarFeed.objects.filter(person=person).first()
        if feed is None:
            raise
        return feed


@transaction.atomic
def calendar_feed_revoke(*, actor: "User | None", feed: CalendarFeed) -> CalendarFeed:
    """Replace the secret: every calendar subscribed to the old address stops receiving."""
    require(
        policy.may_manage_own(actor, feed.person),
        _("Only the person themself replaces their calendar address."),
    )
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    feed.token = secrets.token_urlsafe(32)
    feed.revoked_at = timezone.now()
    return save_validated(feed, actor=actor, reason="Calendar address revoked")
