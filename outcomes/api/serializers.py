from rest_framework import serializers

from forums.api.base import BoundedPrimaryKeyRelatedField, StrictSerializer, TLPField
from forums.api.serializers import MemberBriefSerializer
from forums.models import Member
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink


class OutcomeDocumentSerializer(serializers.ModelSerializer):
    meeting_name = serializers.CharField(source="meeting.__str__", read_only=True)
    forum = serializers.CharField(source="meeting.forum.acronym", read_only=True)
    tlp = TLPField(read_only=True)
    outcome_count = serializers.IntegerField(
        read_only=True, help_text="Outcomes of this document that you may see."
    )

    class Meta:
        model = OutcomeDocument
        fields = [
            "id",
            "meeting",
            "meeting_name",
            "forum",
            "kind",
            "title",
            "short_title",
            "code",
            "adopted_on",
            "place",
            "tlp",
            "outcome_count",
        ]


class OutcomeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "citation_code", "label"]


class LinkSerializer(serializers.ModelSerializer):
    """One typed edge; `outcome` / `document` is the far end (only if you may see it)."""

    # Named like DRF's Field.source, which it does not shadow: the serializer's metaclass
    # takes declared fields out of the class.
    source = OutcomeRefSerializer(read_only=True)  # type: ignore[assignment]
    target_outcome = OutcomeRefSerializer(read_only=True, allow_null=True)
    target_document = serializers.SerializerMethodField()

    class Meta:
        model = OutcomeLink
        fields = ["kind", "source", "target_outcome", "target_document"]

    def get_target_document(self, link) -> dict | None:
        document = link.target_document
        if document is None:
            return None
        return {"id": document.pk, "code": document.code, "title": document.title}


class OutcomeSerializer(serializers.ModelSerializer):
    # Named like Field.label and Field.parent, which they do not shadow (as `source` above).
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    document = serializers.SerializerMethodField()
    forum = serializers.CharField(source="document.meeting.forum.acronym", read_only=True)
    meeting = serializers.IntegerField(source="document.meeting_id", read_only=True)
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent_code",
        read_only=True,
        allow_null=True,
        help_text="Citation code of the outcome it is part of (null if you may not see it).",
    )
    tlp = TLPField(read_only=True)
    responsible = MemberBriefSerializer(many=True, read_only=True)
    links_out = LinkSerializer(many=True, read_only=True, source="visible_links_out")
    links_in = LinkSerializer(many=True, read_only=True, source="visible_links_in")
    tasks = serializers.SerializerMethodField(help_text="The work that serves this outcome.")
    etag = serializers.CharField(read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "id",
            "citation_code",
            "label",
            "forum",
            "meeting",
            "document",
            "number",
            "parent",
            "position",
            "text",
            "kind",
            "status",
            "tlp",
            "responsible",
            "links_out",
            "links_in",
            "tasks",
            "version",
            "etag",
        ]

    def get_document(self, outcome) -> dict:
        document = outcome.document
        return {"id": document.pk, "code": document.code, "title": document.title}

    def get_tasks(self, outcome) -> str:
        return f"/api/v1/tasks/?outcome={outcome.pk}"


class OutcomeEditSerializer(StrictSerializer):
    """What the secretariat may correct in an outcome; its number and code are permanent."""

    text = serializers.CharField(max_length=20000)
    kind = serializers.ChoiceField(choices=Outcome.Kind.choices, allow_blank=True)
    status = serializers.ChoiceField(choices=Outcome.Status.choices)
    tlp = TLPField()
    source_note = serializers.CharField(max_length=300, allow_blank=True, required=False)
    responsible = BoundedPrimaryKeyRelatedField(
        queryset=Member.objects.all(), many=True, required=False
    )
    note = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, help_text="Why (kept in history)."
    )
