from django.db.models import Prefetch
from rest_framework import viewsets

from forums.api.base import ResourceMixin
from forums.api.filters import MeetingFilter, MemberFilter
from forums.api.serializers import ForumSerializer, MeetingSerializer, MemberSerializer
from forums.models import Chair, Forum, Hosting, Meeting, Member


class ForumViewSet(ResourceMixin, viewsets.ReadOnlyModelViewSet):
    """Forums (JHoPS, PIDC, …): public."""

    queryset = Forum.objects.select_related("secretariat")
    serializer_class = ForumSerializer
    ordering_choices = {"id": ("id",), "acronym": ("acronym", "id")}
    filterset_fields: list[str] = []


class MemberViewSet(ResourceMixin, viewsets.ReadOnlyModelViewSet):
    """States, territories, agencies and organisations at a forum's table: public."""

    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_choices = {"id": ("id",), "name": ("name", "id")}


class MeetingViewSet(ResourceMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings with their chairs and hostings: public."""

    queryset = Meeting.objects.select_related("forum").prefetch_related(
        Prefetch("chairs", queryset=Chair.objects.select_related("member")),
        Prefetch("hostings", queryset=Hosting.objects.select_related("member")),
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_choices = {
        "id": ("id",),
        "sequence": ("forum_id", "sequence"),
        "-start_date": ("-start_date", "-id"),
    }
