"""A working group's page in the admin, made for the week after a meeting: members ticked
from the forum's member states' people, and tasks typed into one grid, a Tab stop a cell.

A new group is set up in one submit: the page is saved group first, then the people
ticked (as members, through the membership service), then the inlines in order, members
before tasks. So a task may be led by someone ticked on the same page; the lead's rule
(a current member) stays in task_add, which refuses anyone else on the row that named them.
"""

from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from forums.models import Forum, Meeting
from forums.people import PERSON_LABEL_RELATED, people_of_member_states, person_label
from outcomes.models import Outcome
from workinggroups.models import Task, WorkingGroup
from workinggroups.services import group_label_under, group_name_under

_PAGE = "_talanoa_group_page"


def _pk(value) -> int:
    """An id from a link or a form; 0, which names no row, when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


_LINKED = (
    ("established_by", Meeting),
    ("reports_to", Meeting),
    ("establishing_outcome", Outcome),
)


def initial_for_new_group(initial: dict) -> dict:
    """A new group's form filled from what its link says (?establishing_outcome=,
    ?established_by=, ?reports_to=): under an outcome, its meeting, mandate, label and
    name; reporting to the meeting after the one that sets it up. What the link names wins."""
    filled = dict(initial)
    outcome = (
        Outcome.objects.select_related("document")
        .filter(pk=_pk(initial.get("establishing_outcome")))
        .first()
    )
    # A link naming no row (a typo, a deleted meeting) fills nothing rather than fail.
    for name, model in _LINKED:
        if name in filled and not model.objects.filter(pk=_pk(filled[name])).exists():
            del filled[name]
    if outcome is not None:
        filled.setdefault("established_by", str(outcome.document.meeting_id))
        filled.setdefault("mandate", outcome.text)
        filled.setdefault("name", group_name_under(outcome))
        filled.setdefault("tlp", group_label_under(outcome))
    meeting = Meeting.objects.filter(pk=_pk(filled.get("established_by"))).first()
    if meeting is not None and "reports_to" not in filled:
        following = meeting.next_meeting
        if following is not None:
            filled["reports_to"] = str(following.pk)
    return filled


@dataclass(frozen=True)
class GroupPage:
    """What a group's page knows before the group is saved: the forum whose people it
    offers (None: not chosen yet, every forum's), the meeting its work is due for."""

    group: WorkingGroup | None
    forum: Forum | None
    reports_to: Meeting | None

    @cached_property
    def lead_options(self) -> list:
        # Asked by each of the formset's uses on the page (fields, forms, media): once.
        return lead_choices(self)


def group_page(request, group: WorkingGroup | None) -> GroupPage:
    """Read once per request: the form and each inline ask, and must agree."""
    group = group if group is not None and group.pk else None
    page = getattr(request, _PAGE, None)
    if page is not None and page.group == group:
        return page
    if group is not None:
        page = GroupPage(group, group.established_by.forum, group.reports_to)
    else:
        # A new group: what was posted, or what the link filled in.
        source = request.POST if request.method == "POST" else {}
        source = source or initial_for_new_group(dict(request.GET.items()))
        meetings = Meeting.objects.select_related("forum")
        established_by = meetings.filter(pk=_pk(source.get("established_by"))).first()
        reports_to = meetings.filter(pk=_pk(source.get("reports_to"))).first()
        chosen = established_by or reports_to
        page = GroupPage(None, chosen.forum if chosen else None, reports_to)
    setattr(request, _PAGE, page)
    return page


def people_offered(page: GroupPage) -> QuerySet:
    """The forum's member states' people who have never sat on the group (a seat once
    left is taken up again on the membership's own row, not a second one)."""
    people = people_of_member_states(page.forum)
    if page.group is not None:
        people = people.exclude(pk__in=page.group.memberships.values("person_id"))
    return people


class WorkingGroupForm(forms.ModelForm):
    add_members = forms.ModelMultipleChoiceField(
        label=_("Add members"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "People of the forum's member states and their agencies, not yet in the group. "
            "Those ticked join as members, each representing their own agency or state, "
            "when the page is saved; they may then lead the tasks below."
        ),
        error_messages={
            "invalid_choice": _(
                "Someone ticked does not represent a member state of the forum of the "
                "establishing meeting: untick them or choose that meeting again."
            )
        },
    )
    # The people the page offers (GroupPage): set on the class made for each page.
    offered: QuerySet = get_user_model().objects.none()

    class Meta:
        model = WorkingGroup
        fields = [
            "name",
            "established_by",
            "establishing_outcome",
            "reports_to",
            "mandate",
            "tlp",
            "closed_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["add_members"]
        field.queryset = self.offered
        field.label_from_instance = person_label


def form_for_page(form_class: type[forms.ModelForm], page: GroupPage):
    return type(form_class.__name__, (form_class,), {"offered": people_offered(page)})


# --- the task grid ------------------------------------------------------------------


def lead_choices(page: GroupPage) -> list:
    """The group's members (and whoever leads one of its tasks already, so that an
    unchanged row keeps its lead), then the people who join as they are ticked above."""
    User = get_user_model()
    if page.group is not None:
        members = (
            User.objects.filter(
                Q(pk__in=page.group.memberships.current().values("person_id"))
                | Q(pk__in=page.group.tasks.values("lead_id"))
            )
            .select_related(*PERSON_LABEL_RELATED)
            .order_by("first_name", "last_name", "username")
        )
    else:
        members = User.objects.none()
    seated = [(person.pk, person_label(person)) for person in members]
    taken = {pk for pk, _label in seated}
    joining = [
        (person.pk, person_label(person))
        for person in people_offered(page)
        if person.pk not in taken
    ]
    choices: list = [("", "---------")]
    if seated:
        choices.append((_("Members"), seated))
    if joining:
        choices.append((_("Members once ticked under “Add members”"), joining))
    return choices


class TaskRowForm(forms.ModelForm):
    """One task in the grid: only what a new task needs, each a plain field, so Tab goes
    title → due → lead → the next row (no calendar links, no autocomplete in between)."""

    due_on = forms.DateField(
        label=Task._meta.get_field("due_on").verbose_name,
        required=False,
        widget=forms.DateInput(attrs={"size": 10, "autocomplete": "off"}),
        help_text=_("By default the day the meeting the group reports to opens."),
    )
    lead = forms.ModelChoiceField(
        label=Task._meta.get_field("lead").verbose_name,
        queryset=get_user_model().objects.none(),
        required=False,
    )
    # Set on the class made for each page (task_row_form).
    lead_options: list = []
    due_default = None

    class Meta:
        model = Task
        fields = ["title", "due_on", "lead"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        lead.queryset = get_user_model().objects.filter(
            pk__in=[pk for _group, people in self.lead_options[1:] for pk, _label in people]
        )
        lead.choices = self.lead_options
        if self.instance._state.adding and self.due_default is not None:
            self.fields["due_on"].initial = self.due_default

    def has_changed(self) -> bool:
        # An empty row keeps its proposed due date: only a title or a lead makes a task.
        if self.instance._state.adding:
            return any(name in self.changed_data for name in ("title", "lead"))
        return super().has_changed()


def task_row_form(page: GroupPage) -> type[TaskRowForm]:
    attrs = {
        "lead_options": page.lead_options,
        # "Ready for ratification at the next Meeting": due as the meeting opens.
        "due_default": page.reports_to.start_date if page.reports_to is not None else None,
    }
    return type("TaskRowForm", (TaskRowForm,), attrs)
