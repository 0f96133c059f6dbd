from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from forums.api.base import CursorPagination, ResourceMixin, etag_response, expected_version
from forums.api.permissions import IsSecretariat, ReadsForAll
from outcomes.api.filters import OutcomeDocumentFilter, OutcomeFilter
from outcomes.api.serializers import (
    OutcomeDocumentSerializer,
    OutcomeEditSerializer,
    OutcomeSerializer,
)
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from outcomes.services import outcome_edit


class OutcomeDocumentViewSet(ResourceMixin, viewsets.ReadOnlyModelViewSet):
    """What meetings adopted; each document as far as your TLP clearance goes."""

    serializer_class = OutcomeDocumentSerializer
    filterset_class = OutcomeDocumentFilter
    ordering_choices = {"id": ("id",), "code": ("code",), "-adopted_on": ("-adopted_on", "-id")}

    def get_queryset(self):
        user = self.request.user
        visible_outcomes = (
            Outcome.objects.visible_to(user)
            .filter(document=OuterRef("pk"))
            .order_by()
            .values("document")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            OutcomeDocument.objects.visible_to(user)
            .select_related("meeting__forum")
            .annotate(outcome_count=Coalesce(Subquery(visible_outcomes), 0))
        )


def outcomes_for(user):
    """Outcomes a person may see, with what one representation needs, in a fixed few queries."""
    visible = Outcome.objects.visible_to(user)
    visible_documents = OutcomeDocument.objects.visible_to(user)
    # A link is shown only when its far end is visible too: no code leaks through a link.
    links = OutcomeLink.objects.select_related("source__document", "target_outcome__document")
    links = links.select_related("target_document")
    reaches_visible = Q(target_outcome__in=visible.values("pk")) | Q(
        target_document__in=visible_documents.values("pk")
    )
    return visible.select_related("document__meeting__forum", "parent").prefetch_related(
        "responsible",
        Prefetch("links_out", queryset=links.filter(reaches_visible), to_attr="visible_links_out"),
        Prefetch(
            "links_in",
            queryset=links.filter(source__in=visible.values("pk")),
            to_attr="visible_links_in",
        ),
    )


@extend_schema_view(
    partial_update=extend_schema(request=OutcomeEditSerializer, responses=OutcomeSerializer)
)
class OutcomeViewSet(
    ResourceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Numbered outcomes with their permanent citation codes and their lineage links.

    Editing (PUT/PATCH, secretariat only) needs `If-Match` with the ETag you read.
    """

    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter
    pagination_class = CursorPagination
    default_ordering = "document"
    ordering_choices = {
        "document": ("document_id", "position"),
        "id": ("id",),
        "-id": ("-id",),
    }

    def get_queryset(self):
        return outcomes_for(self.request.user)

    def get_permissions(self):
        if self.action in ("update", "partial_update"):
            return [IsSecretariat()]
        return [ReadsForAll()]

    def retrieve(self, request, *args, **kwargs):
        outcome = self.get_object()
        return etag_response(outcome, self.get_serializer(outcome).data)

    @extend_schema(request=OutcomeEditSerializer, responses=OutcomeSerializer)
    def update(self, request, *args, **kwargs):
        outcome = self.get_object()
        version = expected_version(request)
        edit = OutcomeEditSerializer(data=request.data, partial=kwargs.get("partial", False))
        edit.is_valid(raise_exception=True)
        outcome_edit(
            actor=request.user, outcome=outcome, expected_version=version, **edit.validated_data
        )
        fresh = self.get_queryset().get(pk=outcome.pk)
        return etag_response(fresh, self.get_serializer(fresh).data)
