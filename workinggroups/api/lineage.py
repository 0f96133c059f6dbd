"""`GET /api/v1/outcomes/{id}/lineage/`: an outcome's lineage and the work serving it.

The chain comes from `outcomes.lineage` (the page and the chair's report read the same);
the work is `Task.objects.serving`. It sits here, above both apps, because `outcomes`
does not import `workinggroups`. Each chain is sent flat, in reading order, with each
step's depth: a nested type would make the schema recursive.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from forums.api.permissions import ReadsForAll
from outcomes.api.serializers import OutcomeRefSerializer
from outcomes.lineage import Step, builds_on, taken_forward_by
from outcomes.models import Outcome
from workinggroups.models import Task, WorkingGroup


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()


class StepSerializer(serializers.Serializer):
    depth = serializers.IntegerField(help_text="0 for a direct link, 1 for a link of that …")
    relation = serializers.CharField(help_text="e.g. “pursuant to”, “reaffirms”.")
    outcome = OutcomeRefSerializer(allow_null=True)
    document = DocumentRefSerializer(
        allow_null=True, help_text="A whole document the step cites, instead of an outcome."
    )


class ServingTaskSerializer(serializers.ModelSerializer):
    working_group = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "title", "status", "progress", "due_on", "working_group"]

    def get_working_group(self, task) -> dict:
        return {"id": task.working_group_id, "name": task.working_group.name}


class GroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkingGroup
        fields = ["id", "name"]


class LineageSerializer(serializers.Serializer):
    outcome = OutcomeRefSerializer()
    builds_on = StepSerializer(many=True, help_text="What it builds on, back through the years.")
    taken_forward_by = StepSerializer(many=True, help_text="Later outcomes that cite it.")
    serving_tasks = ServingTaskSerializer(many=True)
    established_groups = GroupRefSerializer(many=True)


def flatten(steps: list[Step], depth: int = 0) -> list[dict]:
    """A chain in reading order, each step with its depth."""
    rows: list[dict] = []
    for step in steps:
        rows.append(
            {
                "depth": depth,
                "relation": step.relation,
                "outcome": step.outcome,
                "document": step.document,
            }
        )
        rows.extend(flatten(step.further, depth + 1))
    return rows


class OutcomeLineageView(GenericAPIView):
    """An outcome's lineage, as far as you may see each step, and the work serving it."""

    permission_classes = [ReadsForAll]
    serializer_class = LineageSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Outcome.objects.visible_to(self.request.user).select_related("document")

    @extend_schema(operation_id="outcomes_lineage")
    def get(self, request, pk: str):
        outcome = get_object_or_404(self.get_queryset(), pk=pk)
        user = request.user
        tasks = (
            Task.objects.visible_to(user)
            .serving([outcome.pk])
            .select_related("working_group")
            .order_by("working_group__name", "due_on", "pk")
        )
        body = {
            "outcome": outcome,
            "builds_on": flatten(builds_on(outcome, user)),
            "taken_forward_by": flatten(taken_forward_by(outcome, user)),
            "serving_tasks": tasks,
            "established_groups": WorkingGroup.objects.visible_to(user)
            .filter(establishing_outcome=outcome)
            .order_by("name"),
        }
        return Response(LineageSerializer(body).data)
