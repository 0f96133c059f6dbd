from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from forums.api.base import CursorPagination, ResourceMixin, etag_response, expected_version
from forums.api.permissions import PolicyPermission, ReadsForAll
from outcomes.akoma_ntoso import MEDIA_TYPE, document_to_akn, download_name
from outcomes.api import outcome_list
from outcomes.api.filters import OutcomeDocumentFilter, OutcomeFilter
from outcomes.api.serializers import (
    OutcomeDocumentSerializer,
    OutcomeEditSerializer,
    OutcomeSerializer,
)
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from outcomes.policy import may_edit_outcome
from outcomes.services import outcome_edit
from readlog.api import RecordsRedReads
from readlog.models import Channel
from readlog.services import record_rows


class AkomaNtosoRenderer(renderers.BaseRenderer):
    """Passes on the bytes outcomes/akoma_ntoso.py made; `.xml` or `?format=xml` names it."""

    media_type = MEDIA_TYPE
    format = "xml"
    charset = None  # the XML declaration says UTF-8
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class FileNegotiation(DefaultContentNegotiation):
    """A download is the file it is, whatever Accept says; an unknown format is a 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if fmt:
            renderers = [renderer for renderer in renderers if renderer.format == fmt]
            if not renderers:
                raise Http404
        return renderers[0], renderers[0].media_type


class OutcomeDocumentViewSet(RecordsRedReads, ResourceMixin, viewsets.ReadOnlyModelViewSet):
    """What meetings adopted; each document as far as your TLP clearance goes."""

    read_channels = {"akn": Channel.AKOMA_NTOSO}

    serializer_class = OutcomeDocumentSerializer
    filterset_class = OutcomeDocumentFilter
    ordering_choices = {"id": ("id",), "code": ("code",), "-adopted_on": ("-adopted_on", "-id")}

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if AkomaNtosoRenderer in self.renderer_classes:
            # On the file's route (any method) a refusal is JSON, like every other error.
            self.request.accepted_renderer = renderers.JSONRenderer()
            self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return response

    @extend_schema(
        operation_id="outcome_documents_akn",
        summary="The document as Akoma Ntoso XML",
        description=(
            "An OASIS LegalDocML (Akoma Ntoso 3.0) `statement`, valid against the official "
            "schema, with FRBR identifiers derived from the citation codes "
            "(/akn/int/statement/jhops-4 for JHOPS/4; outcome JHOPS/4/16 is `para_16`). "
            "Only the outcomes and links you may see are in it; a document you may not see "
            "is a 404. Sent as an attachment named after the code (JHOPS-4.akn.xml)."
        ),
        responses={
            (200, MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="The Akoma Ntoso XML file."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="akn",
        renderer_classes=[AkomaNtosoRenderer],
        content_negotiation_class=FileNegotiation,
        filterset_class=None,
        pagination_class=None,
    )
    def akn(self, request, *args, **kwargs):
        document = self.get_object()
        # Kept out of every cache when it depends on who asks (config.security).
        return Response(
            document_to_akn(document, user=request.user),
            headers={
                "Content-Disposition": content_disposition_header(True, download_name(document))
            },
        )

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
    # A link is shown only when its far end is visible too: no code leaks through a link.
    links = OutcomeLink.objects.select_related("source__document", "target_outcome__document")
    links = links.select_related("target_document")
    visible = visible.with_parent_code(user)
    return visible.select_related("document__meeting__forum").prefetch_related(
        "responsible",
        Prefetch("links_out", queryset=links.reaching_visible(user), to_attr="visible_links_out"),
        Prefetch(
            "links_in",
            queryset=links.from_visible(user),
            to_attr="visible_links_in",
        ),
    )


@extend_schema_view(
    partial_update=extend_schema(request=OutcomeEditSerializer, responses=OutcomeSerializer)
)
class OutcomeViewSet(
    RecordsRedReads,
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
        if self.action in ("list", "retrieve"):
            return self.page_queryset()
        return outcomes_for(self.request.user)

    # The columns a subclass's page_queryset adds to each row.
    row_columns: tuple[str, ...] = ()

    def page_queryset(self):
        """The outcomes a list or detail reads (outcome_list): kept per standing."""
        return outcome_list.page_queryset(self.request.user)

    def represent(self, rows: list[dict]) -> list[dict]:
        """The representation of each row of a page (a subclass adds to it)."""
        return outcome_list.represent(rows)

    def rows(self):
        """The filtered, ordered outcomes as rows with their nested rows (outcome_list)."""
        queryset = self.filter_queryset(self.get_queryset())
        return outcome_list.as_rows(queryset, *self.row_columns)

    def list(self, request, *args, **kwargs):
        # Pages are read as rows, not models (outcome_list.py says why); same representation.
        rows = self.paginate_queryset(self.rows())
        return self.get_paginated_response(self.represent(rows))

    def get_permissions(self):
        if self.action in ("update", "partial_update"):
            return [PolicyPermission(may_edit_outcome)]
        return [ReadsForAll()]

    def retrieve(self, request, *args, **kwargs):
        # A page of one row: the list's one query and representation.
        rows = list(self.rows().filter(pk=kwargs[self.lookup_field])[:1])
        if not rows:
            raise Http404
        record_rows(reader=request.user, channel=Channel.API_DETAIL, model=Outcome, rows=rows)
        (data,) = self.represent(rows)
        return Response(data, headers={"ETag": data["etag"]})

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
