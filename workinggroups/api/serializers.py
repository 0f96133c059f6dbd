from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forums.api.base import (
    BoundedPrimaryKeyRelatedField,
    CalledField,
    StrictSerializer,
    TextSlugRelatedField,
    TLPField,
)
from forums.models import Meeting
from outcomes.api.serializers import OutcomeRefSerializer
from outcomes.models import Outcome
from workinggroups.models import Task, TaskUpdate, WorkingGroup, WorkingGroupMembership
from workinggroups.services import NOT_A_MEMBER, NOT_NAMEABLE


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = CalledField(source="get_full_name")


class MeetingRefSerializer(serializers.ModelSerializer):
    name = CalledField(source="__str__")
    time_zone = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Meeting
        fields = ["id", "name", "sequence", "start_date", "time_zone"]


class SeatSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)
    represents = serializers.CharField(source="represents.name", default=None, read_only=True)

    class Meta:
        model = WorkingGroupMembership
        fields = ["person", "represents", "role", "joined_on", "left_on"]


class WorkingGroupSerializer(serializers.ModelSerializer):
    forum = serializers.CharField(source="established_by.forum.acronym", read_only=True)
    established_by = MeetingRefSerializer(read_only=True)
    reports_to = MeetingRefSerializer(read_only=True)
    establishing_outcome = serializers.CharField(
        source="establishing_outcome_code",
        read_only=True,
        allow_null=True,
        help_text="Citation code of the outcome that set it up (if you may see it).",
    )
    tlp = TLPField(read_only=True)
    members = SeatSerializer(many=True, read_only=True, source="memberships")
    task_counts = serializers.SerializerMethodField(help_text="Tasks you may see, by status.")

    class Meta:
        model = WorkingGroup
        fields = [
            "id",
            "name",
            "forum",
            "established_by",
            "establishing_outcome",
            "reports_to",
            "mandate",
            "tlp",
            "closed_on",
            "members",
            "task_counts",
        ]

    def get_task_counts(self, group) -> dict[str, int]:
        return {status: getattr(group, f"tasks_{status}") for status in Task.Status.values}


class UpdateSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)
    tlp = TLPField(read_only=True)

    class Meta:
        model = TaskUpdate
        fields = [
            "id",
            "created_at",
            "author",
            "status_from",
            "status_to",
            "progress",
            "note",
            "tlp",
        ]


# The schema as it was when this field was a SerializerMethodField: the JSON is the same.
@extend_schema_field({"type": "object", "additionalProperties": {}, "nullable": True})
class LatestUpdateField(UpdateSerializer):
    """A task's newest update it may show (the `latest_updates` prefetch), or null.

    A nested serializer built once per list, not an UpdateSerializer built per row: DRF
    builds a serializer's fields anew for each instance, which was half the time of a
    page of 50 tasks.
    """

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, task):
        return task.latest_updates[0] if task.latest_updates else None


class TaskSerializer(serializers.ModelSerializer):
    working_group = serializers.SerializerMethodField()
    forum = serializers.CharField(
        source="working_group.established_by.forum.acronym", read_only=True
    )
    lead = PersonSerializer(read_only=True, allow_null=True)
    reports_to = MeetingRefSerializer(read_only=True, allow_null=True)
    outcomes = OutcomeRefSerializer(many=True, read_only=True, source="visible_outcomes")
    latest_update = LatestUpdateField()
    allowed_statuses = serializers.ListField(child=serializers.CharField(), read_only=True)
    tlp = TLPField(read_only=True)
    # As the reader may know them (TaskQuerySet.with_changes_seen_by): updates they may not
    # read move neither.
    updated_at = serializers.DateTimeField(source="seen_updated_at", read_only=True)
    version = serializers.IntegerField(
        source="seen_version",
        read_only=True,
        help_text="Counts the changes you may read; another reader's may differ.",
    )
    etag = serializers.CharField(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "forum",
            "working_group",
            "outcomes",
            "lead",
            "reports_to",
            "due_on",
            "status",
            "allowed_statuses",
            "progress",
            "tlp",
            "latest_update",
            "created_at",
            "updated_at",
            "version",
            "etag",
        ]

    def get_working_group(self, task) -> dict:
        return {"id": task.working_group_id, "name": task.working_group.name}


def _visible(queryset_method):
    """A related-field queryset limited per request to what the writer may see."""

    class Field(BoundedPrimaryKeyRelatedField):
        def get_queryset(self):
            return queryset_method(self.context["request"].user)

    return Field


VisibleOutcomeField = _visible(lambda user: Outcome.objects.visible_to(user))
VisibleGroupField = _visible(lambda user: WorkingGroup.objects.visible_to(user))


class TaskWriteSerializer(StrictSerializer):
    """A task's details, as its group's lead or the secretariat sets them."""

    working_group = VisibleGroupField()
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    outcomes = VisibleOutcomeField(many=True, required=False)
    # One message for a name nobody has and a person who is not in the group: the form
    # must not tell who has an account (the service says the same of a non-member).
    lead = TextSlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        required=False,
        error_messages={"does_not_exist": NOT_A_MEMBER, "invalid": NOT_A_MEMBER},
    )
    recipients = TextSlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        many=True,
        required=False,
        help_text="Usernames of the people a TLP:RED task is for (you among them).",
        error_messages={"does_not_exist": NOT_NAMEABLE, "invalid": NOT_NAMEABLE},
    )
    reports_to = BoundedPrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), allow_null=True, required=False
    )
    due_on = serializers.DateField(allow_null=True, required=False)
    tlp = TLPField(required=False)


class TaskEditSerializer(TaskWriteSerializer):
    working_group = None  # a task stays in its group


class TaskUpdateCreateSerializer(StrictSerializer):
    """A progress update: a note, a new status, a new progress %, or several of them."""

    status = serializers.ChoiceField(choices=Task.Status.choices, required=False)
    note = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    tlp = TLPField(required=False)


class TaskUpdateCreatedSerializer(serializers.Serializer):
    # Named like Serializer.update, which it does not shadow: the serializer's metaclass
    # takes declared fields out of the class.
    update = UpdateSerializer()  # type: ignore[assignment]
    task = TaskSerializer()
