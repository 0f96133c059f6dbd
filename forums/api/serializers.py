from rest_framework import serializers

from forums.api.base import CalledField
from forums.models import Chair, Forum, Hosting, Meeting, Member


class MemberSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", allow_null=True)
    time_zone = serializers.CharField(allow_null=True)
    # Named like DRF's Field.parent, which it does not shadow: the serializer's metaclass
    # takes declared fields out of the class.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment,var-annotated]
        read_only=True, allow_null=True
    )

    class Meta:
        model = Member
        fields = ["id", "name", "short_name", "kind", "country", "parent", "time_zone"]


class MemberBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "name", "short_name"]


class ForumSerializer(serializers.ModelSerializer):
    secretariat = MemberBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Forum
        fields = ["id", "name", "acronym", "established_year", "secretariat", "description"]


class ChairSerializer(serializers.ModelSerializer):
    member = MemberBriefSerializer(read_only=True)

    class Meta:
        model = Chair
        fields = ["member", "role", "office"]


class HostingSerializer(serializers.ModelSerializer):
    member = MemberBriefSerializer(read_only=True)

    class Meta:
        model = Hosting
        fields = ["member", "status", "announced_at"]


class MeetingSerializer(serializers.ModelSerializer):
    name = CalledField(source="__str__")
    forum: "serializers.SlugRelatedField[Forum]" = serializers.SlugRelatedField(
        slug_field="acronym", read_only=True
    )
    forum_id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(source="country.code", allow_null=True)
    time_zone = serializers.CharField(allow_null=True)
    chairs = ChairSerializer(many=True, read_only=True)
    hostings = HostingSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "name",
            "forum",
            "forum_id",
            "sequence",
            "title",
            "start_date",
            "end_date",
            "dates_note",
            "venue",
            "country",
            "time_zone",
            "chairs",
            "hostings",
        ]
