"""Forums: meetings with their chairs, hosting moves, members and memberships."""

import datetime
import itertools

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from forums.audit import save_validated
from forums.models import Chair, ForumMembership, Hosting, HostingChange, Meeting, Member, ordinal
from forums.services import ChairSeat, hosting_change_status, hosting_record, meeting_create
from tests.factories import ForumFactory, MeetingFactory, MemberFactory

pytestmark = pytest.mark.django_db

S = Hosting.Status
HOSTING_LABELS = dict(S.choices)
ALL_HOSTING_MOVES = list(itertools.product(S.values, repeat=2))


def row_counts(*models) -> dict[str, int]:
    """Rows of each model and of its history table: equal before and after = nothing saved."""
    counts = {}
    for model in models:
        counts[model._meta.label] = model._default_manager.count()
        if hasattr(model, "history"):
            counts[f"{model._meta.label} history"] = model.history.count()
    return counts


# --- meetings and chairs -------------------------------------------------------------


def test_meeting_create_saves_meeting_and_co_chairs_as_the_actor(actor):
    forum = ForumFactory.create(acronym="JHOPS")
    png, nz = (
        MemberFactory.create(name="Papua New Guinea"),
        MemberFactory.create(name="New Zealand"),
    )

    meeting = meeting_create(
        actor=actor,
        forum=forum,
        sequence=7,
        start_date=datetime.date(2025, 9, 2),
        end_date=datetime.date(2025, 9, 4),
        chairs=[
            ChairSeat(member=png, role=Chair.Role.CO_CHAIR),
            ChairSeat(member=nz, role=Chair.Role.CO_CHAIR, office="Commissioner"),
        ],
    )

    assert str(meeting) == "7th JHOPS"
    assert [(c.member, c.role) for c in meeting.chairs.all()] == [
        (png, Chair.Role.CO_CHAIR),
        (nz, Chair.Role.CO_CHAIR),
    ]
    assert meeting.history.get().history_user == actor
    assert {h.history_user for h in Chair.history.all()} == {actor}


def test_meeting_ending_before_it_starts_is_refused_with_nothing_saved(actor):
    forum = ForumFactory.create()
    chair = MemberFactory.create()
    before = row_counts(Meeting, Chair)

    with pytest.raises(ValidationError) as caught:
        meeting_create(
            actor=actor,
            forum=forum,
            sequence=1,
            start_date=datetime.date(2025, 9, 4),
            end_date=datetime.date(2025, 9, 2),
            chairs=[ChairSeat(member=chair)],
        )

    assert caught.value.message_dict[NON_FIELD_ERRORS] == ["A meeting cannot end before it starts."]
    assert row_counts(Meeting, Chair) == before


def test_database_refuses_a_meeting_ending_before_it_starts_even_without_full_clean():
    forum = ForumFactory.create()

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            forum=forum,
            sequence=1,
            start_date=datetime.date(2025, 9, 4),
            end_date=datetime.date(2025, 9, 2),
        )

    assert not Meeting.objects.exists()


def test_meeting_with_an_end_date_but_no_start_date_is_refused(actor):
    with pytest.raises(ValidationError) as caught:
        meeting_create(
            actor=actor, forum=ForumFactory.create(), sequence=1, end_date=datetime.date(2025, 9, 4)
        )

    assert "start_date" in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_meeting_sequence_is_used_once_per_forum(actor):
    forum = ForumFactory.create()
    meeting_create(actor=actor, forum=forum, sequence=5)
    before = row_counts(Meeting)

    with pytest.raises(ValidationError) as caught:
        meeting_create(actor=actor, forum=forum, sequence=5)

    assert caught.value.messages == ["This forum already has a meeting with this number."]
    assert row_counts(Meeting) == before


def test_the_same_sequence_is_fine_in_another_forum(actor):
    meeting_create(actor=actor, forum=ForumFactory.create(), sequence=5)
    meeting_create(actor=actor, forum=ForumFactory.create(), sequence=5)

    assert Meeting.objects.filter(sequence=5).count() == 2


def test_meeting_with_one_valid_and_one_duplicate_chair_is_not_saved_at_all(actor):
    forum = ForumFactory.create()
    palau = MemberFactory.create(name="Palau")
    before = row_counts(Meeting, Chair)

    with pytest.raises(ValidationError) as caught:
        meeting_create(
            actor=actor,
            forum=forum,
            sequence=5,
            chairs=[ChairSeat(member=palau), ChairSeat(member=palau, role=Chair.Role.CO_CHAIR)],
        )

    assert caught.value.messages == ["This member already chairs this meeting."]
    assert row_counts(Meeting, Chair) == before
    assert not Meeting.objects.filter(forum=forum).exists()


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_meeting_names_use_english_ordinals(number, expected):
    assert ordinal(number) == expected


# --- hosting ---------------------------------------------------------------------------


def test_hosting_transition_map_is_the_designed_one():
    designed = {
        S.INTEREST_REGISTERED: {S.PLANNED, S.CONFIRMED, S.WITHDRAWN},
        S.PLANNED: {S.CONFIRMED, S.HOSTED, S.WITHDRAWN},
        S.CONFIRMED: {S.HOSTED, S.WITHDRAWN},
        S.HOSTED: set(),
        S.WITHDRAWN: {S.INTEREST_REGISTERED},
    }
    assert designed == Hosting.TRANSITIONS
    assert set(Hosting.TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("current", "wanted"), ALL_HOSTING_MOVES)
def test_hosting_moves_follow_the_transition_map(actor, current, wanted):
    hosting = hosting_record(
        actor=actor,
        meeting=MeetingFactory.create(),
        member=MemberFactory.create(),
        status=current,
    )
    before = row_counts(Hosting, HostingChange)
    started = timezone.now()

    if wanted in Hosting.TRANSITIONS[current]:
        hosting_change_status(
            actor=actor,
            hosting=hosting,
            status=wanted,
            effective_on=datetime.date(2024, 8, 1),
            note="Announced at the meeting.",
        )

        hosting.refresh_from_db()
        assert hosting.status == wanted
        change = hosting.changes.latest("pk")
        assert (change.status_from, change.status_to) == (current, wanted)
        assert change.recorded_by == actor
        assert change.recorded_at >= started
        assert change.effective_on == datetime.date(2024, 8, 1)
        latest = hosting.history.latest()
        assert latest.history_user == actor
        assert latest.status == wanted
        assert latest.history_change_reason == "Announced at the meeting."
    else:
        with pytest.raises(ValidationError) as caught:
            hosting_change_status(actor=actor, hosting=hosting, status=wanted)

        (message,) = caught.value.message_dict["status"]
        assert f"from “{HOSTING_LABELS[current]}” to “{HOSTING_LABELS[wanted]}”" in message
        allowed = Hosting.TRANSITIONS[current]
        for status in allowed:
            assert str(HOSTING_LABELS[status]) in message
        for status in set(S.values) - set(allowed) - {current, wanted}:
            assert str(HOSTING_LABELS[status]) not in message.split("Allowed from here:")[1]
        if not allowed:
            assert "none: it is final" in message
        hosting.refresh_from_db()
        assert hosting.status == current
        assert row_counts(Hosting, HostingChange) == before


def test_hosting_refuses_a_status_that_does_not_exist(actor):
    hosting = hosting_record(
        actor=actor,
        meeting=MeetingFactory.create(),
        member=MemberFactory.create(),
        status=S.PLANNED,
    )

    with pytest.raises(ValidationError) as caught:
        hosting_change_status(actor=actor, hosting=hosting, status="postponed")

    assert caught.value.message_dict["status"] == ["“postponed” is not a status."]
    assert hosting.changes.count() == 1


def test_hosting_record_keeps_its_first_status_as_a_change(actor):
    announced_at = MeetingFactory.create()
    hosting = hosting_record(
        actor=actor,
        meeting=MeetingFactory.create(forum=announced_at.forum),
        member=MemberFactory.create(name="Papua New Guinea"),
        status=S.PLANNED,
        announced_at=announced_at,
        note="Outcome 11 of the 5th meeting.",
    )

    (change,) = hosting.changes.all()
    assert (change.status_from, change.status_to, change.recorded_by) == ("", S.PLANNED, actor)
    assert hosting.history.get().history_change_reason == "Outcome 11 of the 5th meeting."


def test_a_changed_plan_stays_on_record(actor):
    """PNG was planned for the 6th meeting in 2023 and hosted the 7th instead."""
    forum = ForumFactory.create()
    sixth, seventh = (
        MeetingFactory.create(forum=forum, sequence=6),
        MeetingFactory.create(forum=forum, sequence=7),
    )
    png = MemberFactory.create(name="Papua New Guinea")
    plan = hosting_record(actor=actor, meeting=sixth, member=png, status=S.PLANNED)
    hosting_change_status(actor=actor, hosting=plan, status=S.WITHDRAWN, note="Moved to 2025.")
    later = hosting_record(actor=actor, meeting=seventh, member=png, status=S.CONFIRMED)
    hosting_change_status(actor=actor, hosting=later, status=S.HOSTED)

    assert [(c.status_from, c.status_to) for c in plan.changes.all()] == [
        ("", S.PLANNED),
        (S.PLANNED, S.WITHDRAWN),
    ]
    assert [h.status for h in plan.history.order_by("history_date", "history_id")] == [
        S.PLANNED,
        S.WITHDRAWN,
    ]
    assert Meeting.objects.with_host_name().get(pk=seventh.pk).host_name == "Papua New Guinea"
    assert Meeting.objects.with_host_name().get(pk=sixth.pk).host_name is None


def test_a_second_host_for_one_meeting_is_refused_and_nothing_moves(actor):
    meeting = MeetingFactory.create()
    hosting_record(actor=actor, meeting=meeting, member=MemberFactory.create(), status=S.CONFIRMED)
    rival = hosting_record(
        actor=actor, meeting=meeting, member=MemberFactory.create(), status=S.PLANNED
    )
    before = row_counts(Hosting, HostingChange)

    with pytest.raises(ValidationError) as caught:
        hosting_change_status(actor=actor, hosting=rival, status=S.CONFIRMED)

    assert caught.value.messages == ["Another member already hosts this meeting."]
    rival.refresh_from_db()
    assert rival.status == S.PLANNED
    assert row_counts(Hosting, HostingChange) == before


def test_with_host_name_gives_the_confirmed_or_hosting_member_only(actor):
    forum = ForumFactory.create()
    planned_only, confirmed, hosted = (MeetingFactory.create(forum=forum) for _ in range(3))
    cook_islands = MemberFactory.create(name="Cook Islands")
    palau, samoa = MemberFactory.create(name="Palau"), MemberFactory.create(name="Samoa")
    hosting_record(actor=actor, meeting=planned_only, member=cook_islands, status=S.PLANNED)
    # Interest from one member does not hide the confirmed host, whatever the order.
    hosting_record(actor=actor, meeting=confirmed, member=palau, status=S.CONFIRMED)
    hosting_record(
        actor=actor, meeting=confirmed, member=cook_islands, status=S.INTEREST_REGISTERED
    )
    hosting_record(actor=actor, meeting=hosted, member=cook_islands, status=S.WITHDRAWN)
    hosting_record(actor=actor, meeting=hosted, member=samoa, status=S.HOSTED)

    names = dict(Meeting.objects.with_host_name().values_list("pk", "host_name"))

    assert names == {planned_only.pk: None, confirmed.pk: "Palau", hosted.pk: "Samoa"}


# --- members and memberships ------------------------------------------------------------


def test_an_agency_without_a_parent_member_is_refused(actor):
    before = row_counts(Member)

    with pytest.raises(ValidationError) as caught:
        save_validated(
            Member(name="Royal Papua New Guinea Constabulary", kind=Member.Kind.AGENCY),
            actor=actor,
        )

    assert caught.value.message_dict["parent"] == ["An agency belongs to a state or territory."]
    assert row_counts(Member) == before


def test_an_agency_of_a_state_is_accepted(actor):
    png = MemberFactory.create(name="Papua New Guinea", country="PG")

    agency = save_validated(
        Member(name="Royal Papua New Guinea Constabulary", kind=Member.Kind.AGENCY, parent=png),
        actor=actor,
    )

    assert list(png.agencies.all()) == [agency]
    assert agency.history.get().history_user == actor


def test_an_agency_of_a_regional_organisation_is_refused(actor):
    pfc = MemberFactory.create(name="Pacific Fusion Centre", kind=Member.Kind.REGIONAL_ORGANISATION)

    with pytest.raises(ValidationError) as caught:
        save_validated(
            Member(name="PFC analysis unit", kind=Member.Kind.AGENCY, parent=pfc), actor=actor
        )

    assert "parent" in caught.value.message_dict


def test_only_an_agency_belongs_to_another_member(actor):
    fiji = MemberFactory.create()

    with pytest.raises(ValidationError) as caught:
        save_validated(
            Member(name="Rotuma", kind=Member.Kind.TERRITORY, country="FJ", parent=fiji),
            actor=actor,
        )

    assert caught.value.message_dict["parent"] == ["Only an agency belongs to another member."]


def test_a_state_needs_its_iso_code(actor):
    with pytest.raises(ValidationError) as caught:
        save_validated(Member(name="Palau", kind=Member.Kind.STATE), actor=actor)

    assert "country" in caught.value.message_dict
    assert not Member.objects.filter(name="Palau").exists()


def test_forum_membership_ending_before_it_starts_is_refused(actor):
    membership = ForumMembership(
        forum=ForumFactory.create(),
        member=MemberFactory.create(),
        role=ForumMembership.Role.MEMBER,
        joined_on=datetime.date(2023, 1, 1),
        left_on=datetime.date(2022, 12, 31),
    )
    before = row_counts(ForumMembership)

    with pytest.raises(ValidationError) as caught:
        save_validated(membership, actor=actor)

    assert caught.value.message_dict[NON_FIELD_ERRORS] == [
        "A membership cannot end before it starts."
    ]
    assert row_counts(ForumMembership) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        membership.save()


def test_a_member_has_one_current_membership_per_forum_but_may_rejoin(actor):
    forum, japan = ForumFactory.create(), MemberFactory.create(name="Japan")
    save_validated(
        ForumMembership(
            forum=forum,
            member=japan,
            role=ForumMembership.Role.OBSERVER,
            joined_on=datetime.date(2019, 1, 1),
            left_on=datetime.date(2021, 1, 1),
        ),
        actor=actor,
    )
    save_validated(
        ForumMembership(forum=forum, member=japan, role=ForumMembership.Role.OBSERVER),
        actor=actor,
    )

    with pytest.raises(ValidationError) as caught:
        save_validated(
            ForumMembership(forum=forum, member=japan, role=ForumMembership.Role.MEMBER),
            actor=actor,
        )

    assert caught.value.messages == ["This member already has a current membership."]
    assert forum.memberships.count() == 2
