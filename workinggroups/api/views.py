from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from forums.access import built_per_audience
from forums.api.base import CursorPagination, ResourceMixin, etag_response, expected_version
from forums.api.permissions import ReadsForAll
from forums.tlp import TLP
from outcomes.models import Outcome
from readlog.api import RecordsRedReads
from readlog.models import Channel
from readlog.services import record_reads, record_rows
from workinggroups import policy
from workinggroups.api import task_list
from workinggroups.api.filters import TaskFilter, WorkingGroupFilter
from workinggroups.api.serializers import (
    TaskEditSerializer,
    TaskSerializer,
    TaskUpdateCreatedSerializer,
    TaskUpdateCreateSerializer,
    TaskWriteSerializer,
    UpdateSerializer,
    WorkingGroupSerializer,
)
from workinggroups.models import (
    NO_DUE_DATE,
    Task,
    TaskUpdate,
    WorkingGroup,
    WorkingGroupMembership,
)
from workinggroups.services import EDIT_TASKS, task_add, task_edit, task_update_status


class WorkingGroupViewSet(RecordsRedReads, ResourceMixin, viewsets.ReadOnlyModelViewSet):
    """Working groups with their members and their tasks counted by status."""

    serializer_class = WorkingGroupSerializer
    filterset_class = WorkingGroupFilter
    ordering_choices = {"id": ("id",), "name": ("name", "id")}

    def get_queryset(self):
        user = self.request.user
        visible_tasks = (
            Task.objects.visible_to(user).filter(working_group=OuterRef("pk")).order_by()
        )
        counts = {
            f"tasks_{value}": Coalesce(
                Subquery(
                    visible_tasks.filter(status=value)
                    .values("working_group")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                Value(0),
            )
            for value in Task.Status.values
        }
        establishing_code = Outcome.objects.visible_to(user).filter(
            pk=OuterRef("establishing_outcome_id")
        )
        return (
            WorkingGroup.objects.visible_to(user)
            .select_related("established_by__forum", "reports_to__forum")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=WorkingGroupMembership.objects.select_related("person", "represents"),
                )
            )
            .annotate(
                establishing_outcome_code=Subquery(establishing_code.values("citation_code")[:1]),
                **counts,
            )
        )


UNSHOWN_USER_FIELDS = (
    "password",
    "last_login",
    "is_superuser",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
)


@built_per_audience
def tasks_shown_to(user):
    """Tasks a person may see, with the columns of one representation and the version they
    know: tasks_for() less the nested parts (posting an update makes those itself). Built
    once per standing."""
    return (
        Task.objects.visible_to(user)
        .select_related("working_group__established_by__forum", "lead", "reports_to__forum")
        .defer(*(f"lead__{name}" for name in UNSHOWN_USER_FIELDS), "working_group__mandate")
        .annotate(due_sort=Coalesce("due_on", Value(NO_DUE_DATE)))
        .with_changes_seen_by(user)
    )


def tasks_for(user):
    """Tasks a person may see, with what one representation needs, in a fixed few queries."""
    # Nested parts load only the columns they show (OutcomeRefSerializer, UpdateSerializer):
    # an outcome's text and a user's password hash have no business in a task list.
    latest_visible_update = (
        TaskUpdate.objects.visible_to(user)
        .select_related("author")
        .defer(*(f"author__{name}" for name in UNSHOWN_USER_FIELDS))
        .latest_per_task()
    )
    return tasks_shown_to(user).prefetch_related(
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.visible_to(user)
            .select_related("document")
            .only(
                "id",
                "citation_code",
                "number",
                "document_id",
                "document__title",
                "document__short_title",
            ),
            to_attr="visible_outcomes",
        ),
        Prefetch("updates", queryset=latest_visible_update, to_attr="latest_updates"),
    )


class UpdatePagination(CursorPagination):
    """A task's updates, newest first, whatever order the task list uses."""

    def get_ordering(self, request, queryset, view):
        return ("-id",)


class TaskPermission(ReadsForAll):
    """Reads: anyone (the queryset hides what they may not see). Writes, on the object, as
    workinggroups/policy.py says: details by the group's lead or the secretariat; updates by
    the group's members or the secretariat."""

    message = EDIT_TASKS

    def has_object_permission(self, request, view, task):
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action == "updates":
            self.message = _("Only members of the task's working group may post updates.")
            return policy.may_post_update(request.user, task)
        return policy.may_edit_task(request.user, task)


@extend_schema_view(
    partial_update=extend_schema(request=TaskEditSerializer, responses=TaskSerializer)
)
class TaskViewSet(
    RecordsRedReads,
    ResourceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Working-group tasks: each with its outcomes' citation codes and latest update.

    Create: the group's lead or the secretariat. Edit (PUT/PATCH): the same, with
    `If-Match`. Status and progress move only by posting to `updates`.
    """

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    pagination_class = CursorPagination
    permission_classes = [TaskPermission]
    default_ordering = "due"
    ordering_choices = {
        "due": ("due_sort", "id"),
        "-due": ("-due_sort", "-id"),
        # The last change the reader may know of: a hidden update does not move a task.
        "updated": ("seen_updated_at", "id"),
        "-updated": ("-seen_updated_at", "-id"),
        "id": ("id",),
        "-id": ("-id",),
    }

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return task_list.page_queryset(self.request.user)
        return tasks_for(self.request.user)

    def list(self, request, *args, **kwargs):
        # Pages are read as rows, not models (task_list.py says why); same representation.
        tasks = task_list.as_rows(self.filter_queryset(self.get_queryset()))
        rows = self.paginate_queryset(tasks)
        return self.get_paginated_response(task_list.represent(rows, request.user))

    def filter_queryset(self, queryset):
        # The task list's filters and ordering are for the list: on `…/updates/` the task
        # is found by its id alone.
        if self.action == "updates":
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, task_id, *, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=task_id)
        record_reads(
            reader=self.request.user, channel=Channel.API_DETAIL, items=fresh.latest_updates
        )
        return etag_response(fresh, TaskSerializer(fresh).data, status_code=status_code)

    def retrieve(self, request, *args, **kwargs):
        # The one-row page: the list's query and representation (task_list.py), its filters
        # applied as get_object() applies them.
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        found = self.filter_queryset(self.get_queryset()).filter(**lookup)
        rows = list(task_list.as_rows(found))
        if not rows:
            raise Http404
        self.check_object_permissions(request, rows[0])
        record_rows(reader=request.user, channel=Channel.API_DETAIL, model=Task, rows=rows)
        (task,) = task_list.represent(rows, request.user, channel=Channel.API_DETAIL)
        return Response(task, headers={"ETag": task["etag"]})

    @extend_schema(request=TaskWriteSerializer, responses={201: TaskSerializer})
    def create(self, request, *args, **kwargs):
        write = TaskWriteSerializer(data=request.data, context={"request": request})
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        group = data.pop("working_group")
        # The write and the answer in one transaction: a refusal, or an answer that cannot
        # be made, leaves nothing saved.
        with transaction.atomic():
            task = task_add(actor=request.user, working_group=group, **data)
            return self._respond(task.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=TaskEditSerializer, responses=TaskSerializer)
    def update(self, request, *args, **kwargs):
        task = self.get_object()
        version = expected_version(request)
        edit = TaskEditSerializer(
            data=request.data, partial=kwargs.get("partial", False), context={"request": request}
        )
        edit.is_valid(raise_exception=True)
        with transaction.atomic():
            task_edit(
                actor=request.user, task=task, expected_version=version, **edit.validated_data
            )
            return self._respond(task.pk)

    @extend_schema(
        methods=["GET"],
        filters=False,
        responses=UpdateSerializer(many=True),
        description="The task's progress updates, newest first, as far as you may see them.",
    )
    @extend_schema(
        methods=["POST"],
        request=TaskUpdateCreateSerializer,
        responses={201: TaskUpdateCreatedSerializer},
        description=(
            "Post a progress update; with `status`, move the task. An illegal move is a 400 "
            "naming the allowed moves. Optional `If-Match`: refused with 412 if the task "
            "changed since you read it."
        ),
    )
    @action(detail=True, methods=["get", "post"], url_path="updates")
    def updates(self, request, pk=None, format=None):  # `format`: /updates.json
        if request.method == "GET":
            task = self.get_object()
            updates = (
                TaskUpdate.objects.visible_to(request.user)
                .filter(task=task)
                .select_related("author")
                .order_by("-id")
            )
            paginator = UpdatePagination()
            page = paginator.paginate_queryset(updates, request, view=self)
            record_reads(reader=request.user, channel=Channel.API_LIST, items=page)
            return paginator.get_paginated_response(UpdateSerializer(page, many=True).data)
        return self._post_update(request, pk)

    def _post_update(self, request, pk):
        """The service reads the task (locked, as its answer shows it) and writes; the
        answer is made from what it read and wrote, in the service's one transaction."""
        post = TaskUpdateCreateSerializer(data=request.data)
        if not post.is_valid():
            # Whatever the body, a task they may not see is a 404 and one they may not
            # report on a 403.
            self.get_object()
            raise ValidationError(post.errors)
        version = expected_version(request) if "If-Match" in request.headers else None
        try:
            update = task_update_status(
                actor=request.user,
                task=Task(pk=pk),
                expected_version=version,
                tasks=tasks_shown_to(request.user),
                **post.validated_data,
            )
        except Task.DoesNotExist:
            raise Http404 from None
        # What get_object() logs of a task it finds.
        record_reads(reader=request.user, channel=Channel.API_DETAIL, items=[update.task])
        task = self._task_after(update)
        body = {"update": UpdateSerializer(update).data, "task": TaskSerializer(task).data}
        return etag_response(task, body, status_code=status.HTTP_201_CREATED)

    def _task_after(self, update: TaskUpdate) -> Task:
        """The task as it stands after `update`, as its author may see it.

        The update is its newest, and the author reads it unless it is TLP:RED: posting
        is for the group's members and the secretariat, who read the group's work up to
        AMBER. So it dates the task and moves the version they know by one. A RED update
        names nobody yet: the task is read again, through the one rule.
        """
        task = update.task
        if update.tlp == TLP.RED:
            return self.get_queryset().get(pk=task.pk)
        task.visible_outcomes = [link.outcome for link in task.outcome_links if link.readable]
        task.latest_updates = [update]
        task.seen_version += 1
        task.seen_updated_at = max(task.seen_updated_at, update.created_at)
        return task
