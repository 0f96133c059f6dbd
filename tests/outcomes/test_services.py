"""Outcomes: documents and their numbered outcomes, permanent citation codes, links, status."""

import itertools

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from forums.audit import save_validated
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument, OutcomeLink
from outcomes.services import (
    OutcomeSpec,
    outcome_add,
    outcome_change_status,
    outcome_document_record,
    outcome_link_add,
    outcome_save,
)
from tests.conftest import secretariat_officer
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    MemberFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
)

pytestmark = pytest.mark.django_db

S = Outcome.Status
OUTCOME_LABELS = dict(S.choices)
ALL_OUTCOME_MOVES = list(itertools.product(S.values, repeat=2))


def row_counts(*models) -> dict[str, int]:
    """Rows of each model and of its history table: equal before and after = nothing saved."""
    counts = {}
    for model in models:
        counts[model._meta.label] = model._default_manager.count()
        if hasattr(model, "history"):
            counts[f"{model._meta.label} history"] = model.history.count()
    return counts


@pytest.fixture
def fourth_jhops():
    return MeetingFactory.create(forum=ForumFactory.create(acronym="JHOPS"), sequence=4)


def record(actor, meeting, *specs, **kwargs) -> OutcomeDocument:
    kwargs.setdefault("kind", OutcomeDocument.Kind.OUTCOME_STATEMENT)
    kwargs.setdefault("title", "2022 Denarau Outcome")
    return outcome_document_record(actor=actor, meeting=meeting, outcomes=specs, **kwargs)


# --- citation codes and numbering ---------------------------------------------------------


def test_citation_codes_are_built_from_forum_meeting_and_number(actor, fourth_jhops):
    document = record(
        actor,
        fourth_jhops,
        OutcomeSpec(number="15", text="Members agreed …"),
        OutcomeSpec(number="16", text="Members agreed …"),
    )

    assert document.code == "JHOPS/4"
    assert list(document.outcomes.values_list("citation_code", flat=True)) == [
        "JHOPS/4/15",
        "JHOPS/4/16",
    ]


def test_a_second_document_with_a_suffix_cites_its_outcomes_with_it(actor, fourth_jhops):
    record(actor, fourth_jhops, OutcomeSpec(number="1", text="…"))

    plan = record(
        actor,
        fourth_jhops,
        OutcomeSpec(number="1", text="…"),
        kind=OutcomeDocument.Kind.ACTION_PLAN,
        title="Action plan",
        code="JHOPS/4-AP",
    )

    assert plan.outcomes.get().citation_code == "JHOPS/4-AP/1"


def test_editing_the_number_of_a_recorded_outcome_is_refused_and_its_code_kept(actor):
    outcome = outcome_add(
        actor=actor, document=OutcomeDocumentFactory.create(), number="16", text="…"
    )
    code = outcome.citation_code
    before = row_counts(Outcome)

    outcome.number = "17"
    with pytest.raises(ValidationError) as caught:
        outcome_save(actor=actor, outcome=outcome)

    assert caught.value.message_dict["number"] == [
        "The number of a recorded outcome cannot change: it is cited."
    ]
    outcome.refresh_from_db()
    assert (outcome.number, outcome.citation_code) == ("16", code)
    assert row_counts(Outcome) == before


def test_editing_the_text_of_a_recorded_outcome_keeps_its_code(actor):
    outcome = outcome_add(
        actor=actor, document=OutcomeDocumentFactory.create(), number="16", text="…"
    )
    code = outcome.citation_code

    outcome.text = "Members agreed to establish an intersessional working group."
    outcome_save(actor=actor, outcome=outcome)

    outcome.refresh_from_db()
    assert outcome.citation_code == code
    assert outcome.text.startswith("Members agreed to establish")
    assert outcome.history.count() == 2


def test_a_documents_code_cannot_change_once_its_outcomes_are_cited(actor):
    document = OutcomeDocumentFactory.create(code="JHOPS/4")
    outcome_add(actor=actor, document=document, number="16", text="…")

    document.code = "JHOPS/4-AP"
    with pytest.raises(ValidationError) as caught:
        save_validated(document, actor=actor)

    assert caught.value.message_dict["code"] == [
        "Its outcomes are cited as JHOPS/4/…; it cannot change."
    ]
    document.refresh_from_db()
    assert document.code == "JHOPS/4"
    assert document.history.count() == 1


def test_a_documents_code_may_still_change_before_it_has_outcomes(actor):
    document = OutcomeDocumentFactory.create(code="JHOPS/4")

    document.code = "JHOPS/4-AP"
    save_validated(document, actor=actor)

    document.refresh_from_db()
    assert document.code == "JHOPS/4-AP"


@pytest.mark.parametrize("number", ["16", "3.(2)(f)", "3.(2)", "4.b", "12A", "Annex"])
def test_plain_and_nested_outcome_numbers_are_accepted(actor, number):
    outcome = outcome_add(
        actor=actor, document=OutcomeDocumentFactory.create(), number=number, text="…"
    )

    assert outcome.citation_code == f"{outcome.document.code}/{number}"


@pytest.mark.parametrize("number", ["3 (2)", "16/1", "", ".3", "3,2"])
def test_malformed_outcome_numbers_are_refused(actor, number):
    with pytest.raises(ValidationError) as caught:
        outcome_add(actor=actor, document=OutcomeDocumentFactory.create(), number=number, text="…")

    assert "number" in caught.value.message_dict
    assert not Outcome.objects.exists()


def test_position_keeps_the_documents_order_not_the_numbers_sort_order(actor, fourth_jhops):
    numbers = ["2", "10", "3", "3.(2)", "3.(2)(f)", "3.(2)(g)", "1A"]

    document = record(actor, fourth_jhops, *(OutcomeSpec(number=n, text="…") for n in numbers))

    in_order = Outcome.objects.filter(document=document).in_document_order()
    assert [o.number for o in in_order] == numbers
    assert [o.position for o in in_order] == list(range(1, len(numbers) + 1))
    assert [o.number for o in document.outcomes.all()] == numbers


def test_an_outcome_added_later_goes_to_the_end_of_its_document(actor, fourth_jhops):
    document = record(
        actor, fourth_jhops, OutcomeSpec(number="1", text="…"), OutcomeSpec(number="2", text="…")
    )

    added = outcome_add(actor=actor, document=document, number="Annex", text="…")

    assert added.position == 3


def test_two_outcomes_cannot_share_a_position(actor):
    document = OutcomeDocumentFactory.create()
    outcome_add(actor=actor, document=document, number="1", text="…", position=1)

    with pytest.raises(ValidationError) as caught:
        outcome_add(actor=actor, document=document, number="2", text="…", position=1)

    assert caught.value.messages == ["Two outcomes cannot share a position in a document."]


# --- recording a document: all or nothing ---------------------------------------------------


def test_recording_a_document_saves_nested_outcomes_with_parents_and_responsible(
    actor, fourth_jhops
):
    palau, png = MemberFactory.create(name="Palau"), MemberFactory.create(name="Papua New Guinea")

    document = record(
        actor,
        fourth_jhops,
        OutcomeSpec(number="3", text="…", kind=Outcome.Kind.COMMITMENT),
        OutcomeSpec(number="3.(2)", text="…", parent_number="3", responsible=[palau, png]),
        OutcomeSpec(number="3.(2)(f)", text="…", parent_number="3.(2)"),
        short_title="Denarau Outcome",
    )

    outcomes = {o.number: o for o in document.outcomes.all()}
    assert outcomes["3.(2)(f)"].parent == outcomes["3.(2)"]
    assert outcomes["3.(2)"].parent == outcomes["3"]
    assert set(outcomes["3.(2)"].responsible.all()) == {palau, png}
    assert outcomes["3.(2)(f)"].label == "Denarau Outcome 3.(2)(f)"
    assert {h.history_user for h in Outcome.history.all()} == {actor}
    assert document.history.get().history_user == actor


def test_duplicate_outcome_numbers_save_nothing(actor, fourth_jhops):
    before = row_counts(OutcomeDocument, Outcome)

    with pytest.raises(ValidationError) as caught:
        record(
            actor,
            fourth_jhops,
            OutcomeSpec(number="15", text="…"),
            OutcomeSpec(number="16", text="…"),
            OutcomeSpec(number="16", text="…"),
        )

    assert caught.value.message_dict["outcomes"] == [
        "Outcome number used twice in the document: 16."
    ]
    assert row_counts(OutcomeDocument, Outcome) == before


def test_a_taken_document_code_is_refused_with_a_suffix_suggested(actor, fourth_jhops):
    record(actor, fourth_jhops, OutcomeSpec(number="1", text="…"))
    before = row_counts(OutcomeDocument, Outcome)

    with pytest.raises(ValidationError) as caught:
        record(actor, fourth_jhops, OutcomeSpec(number="1", text="…"), title="Action plan")

    (message,) = caught.value.message_dict["code"]
    assert "JHOPS/4 already starts another document's citation codes" in message
    assert "JHOPS/4-AP" in message
    assert row_counts(OutcomeDocument, Outcome) == before


def test_a_parent_listed_after_its_child_saves_nothing(actor, fourth_jhops):
    before = row_counts(OutcomeDocument, Outcome)

    with pytest.raises(ValidationError) as caught:
        record(
            actor,
            fourth_jhops,
            OutcomeSpec(number="3.(2)", text="…", parent_number="3"),
            OutcomeSpec(number="3", text="…"),
        )

    assert caught.value.message_dict["outcomes"] == ["3.(2): its parent 3 is not before it."]
    assert row_counts(OutcomeDocument, Outcome) == before


def test_a_bad_outcome_late_in_the_document_saves_nothing(actor, fourth_jhops):
    before = row_counts(OutcomeDocument, Outcome)

    with pytest.raises(ValidationError) as caught:
        record(
            actor,
            fourth_jhops,
            OutcomeSpec(number="1", text="…"),
            OutcomeSpec(number="2", text="…"),
            OutcomeSpec(number="3", text="…", kind="wish"),
        )

    assert "kind" in caught.value.message_dict
    assert row_counts(OutcomeDocument, Outcome) == before


def test_an_outcome_more_open_than_its_document_is_refused_on_tlp(actor, fourth_jhops):
    before = row_counts(OutcomeDocument, Outcome)

    with pytest.raises(ValidationError) as caught:
        record(
            actor,
            fourth_jhops,
            OutcomeSpec(number="1", text="…"),
            OutcomeSpec(number="2", text="…", tlp=TLP.CLEAR),
            tlp=TLP.AMBER,
        )

    (message,) = caught.value.message_dict["tlp"]
    assert "TLP:CLEAR is more open than its document (TLP:AMBER)" in message
    assert row_counts(OutcomeDocument, Outcome) == before


def test_an_outcome_more_open_than_its_parent_is_refused_on_tlp(actor, fourth_jhops):
    before = row_counts(OutcomeDocument, Outcome)

    with pytest.raises(ValidationError) as caught:
        record(
            actor,
            fourth_jhops,
            OutcomeSpec(number="3", text="…", tlp=TLP.RED),
            OutcomeSpec(number="3.(a)", text="…", parent_number="3", tlp=TLP.AMBER),
            tlp=TLP.GREEN,
        )

    (message,) = caught.value.message_dict["tlp"]
    assert "TLP:AMBER is more open than its parent outcome (TLP:RED)" in message
    assert row_counts(OutcomeDocument, Outcome) == before


def test_outcomes_take_their_documents_label_unless_told_stricter(actor, fourth_jhops):
    document = record(
        actor,
        fourth_jhops,
        OutcomeSpec(number="1", text="…"),
        OutcomeSpec(number="2", text="…", tlp=TLP.RED),
        tlp=TLP.GREEN,
    )

    assert dict(document.outcomes.values_list("number", "tlp")) == {"1": TLP.GREEN, "2": TLP.RED}


def test_an_outcome_is_not_part_of_an_outcome_of_another_document(actor):
    elsewhere = OutcomeFactory.create()

    with pytest.raises(ValidationError) as caught:
        outcome_add(
            actor=actor,
            document=OutcomeDocumentFactory.create(),
            number="1",
            text="…",
            parent=elsewhere,
        )

    assert caught.value.message_dict["parent"] == ["A sub-item belongs to the same document."]


# --- links ----------------------------------------------------------------------------------


@pytest.fixture
def koror_and_denarau():
    denarau = OutcomeDocumentFactory.create(code="JHOPS/4", title="2022 Denarau Outcome")
    koror = OutcomeDocumentFactory.create(code="JHOPS/5", title="2023 Koror Outcome")
    return (
        OutcomeFactory.create(document=koror, number="3", citation_code="JHOPS/5/3"),
        OutcomeFactory.create(document=denarau, number="16", citation_code="JHOPS/4/16"),
    )


def test_an_outcome_links_to_an_earlier_outcome_or_a_whole_document(actor, koror_and_denarau):
    koror_3, denarau_16 = koror_and_denarau

    pursuant = outcome_link_add(
        actor=actor,
        source=koror_3,
        kind=OutcomeLink.Kind.PURSUANT_TO,
        target_outcome=denarau_16,
    )
    reaffirms = outcome_link_add(
        actor=actor,
        source=koror_3,
        kind=OutcomeLink.Kind.REAFFIRMS,
        target_document=denarau_16.document,
    )

    assert list(denarau_16.links_in.all()) == [pursuant]
    assert list(denarau_16.document.links_in.all()) == [reaffirms]
    assert str(pursuant) == "JHOPS/5/3 pursuant to JHOPS/4/16 — " + denarau_16.text[:60]
    assert pursuant.history.get().history_user == actor


@pytest.mark.parametrize("targets", ["neither", "both"])
def test_a_link_has_exactly_one_target(actor, koror_and_denarau, targets):
    koror_3, denarau_16 = koror_and_denarau
    chosen = (
        {}
        if targets == "neither"
        else {"target_outcome": denarau_16, "target_document": denarau_16.document}
    )

    with pytest.raises(ValidationError) as caught:
        outcome_link_add(actor=actor, source=koror_3, kind=OutcomeLink.Kind.REAFFIRMS, **chosen)

    assert caught.value.message_dict[NON_FIELD_ERRORS] == [
        "Link to one outcome or one document, not both."
    ]
    assert not OutcomeLink.objects.exists()
    assert not OutcomeLink.history.exists()


@pytest.mark.parametrize("target", ["outcome", "document"])
def test_the_same_link_is_recorded_once(actor, koror_and_denarau, target):
    koror_3, denarau_16 = koror_and_denarau
    to = (
        {"target_outcome": denarau_16}
        if target == "outcome"
        else {"target_document": denarau_16.document}
    )
    outcome_link_add(actor=actor, source=koror_3, kind=OutcomeLink.Kind.PURSUANT_TO, **to)

    with pytest.raises(ValidationError) as caught:
        outcome_link_add(actor=actor, source=koror_3, kind=OutcomeLink.Kind.PURSUANT_TO, **to)

    assert caught.value.messages == ["This link is already recorded."]
    assert OutcomeLink.objects.count() == 1
    # Another relation to the same target is a different link.
    outcome_link_add(actor=actor, source=koror_3, kind=OutcomeLink.Kind.IMPLEMENTS, **to)
    assert OutcomeLink.objects.count() == 2


def test_an_outcome_cannot_link_to_itself(actor, koror_and_denarau):
    koror_3, _ = koror_and_denarau

    with pytest.raises(ValidationError) as caught:
        outcome_link_add(
            actor=actor, source=koror_3, kind=OutcomeLink.Kind.SUPERSEDES, target_outcome=koror_3
        )

    assert caught.value.messages == ["An outcome cannot link to itself."]


# --- implementation status ------------------------------------------------------------------


def test_outcome_transition_map_is_the_designed_one():
    designed = {
        S.ACTIVE: {S.IMPLEMENTED, S.ELAPSED, S.SUPERSEDED},
        S.IMPLEMENTED: {S.ACTIVE},
        S.ELAPSED: {S.ACTIVE},
        S.SUPERSEDED: set(),
    }
    assert designed == Outcome.TRANSITIONS
    assert set(Outcome.TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("current", "wanted"), ALL_OUTCOME_MOVES)
def test_outcome_status_moves_follow_the_transition_map(actor, current, wanted):
    outcome = OutcomeFactory.create(status=current)
    # The latest row is not the actor's.
    outcome_save(actor=secretariat_officer("another"), outcome=outcome)
    before = row_counts(Outcome)
    started = timezone.now()

    if wanted in Outcome.TRANSITIONS[current]:
        outcome_change_status(actor=actor, outcome=outcome, status=wanted, note="Per the report.")

        outcome.refresh_from_db()
        assert outcome.status == wanted
        latest = outcome.history.latest()
        assert (latest.status, latest.history_user) == (wanted, actor)
        assert latest.history_date >= started
        assert latest.history_change_reason == "Per the report."
        assert outcome.history.count() == before["outcomes.Outcome history"] + 1
    else:
        with pytest.raises(ValidationError) as caught:
            outcome_change_status(actor=actor, outcome=outcome, status=wanted)

        (message,) = caught.value.message_dict["status"]
        assert f"from “{OUTCOME_LABELS[current]}” to “{OUTCOME_LABELS[wanted]}”" in message
        allowed = Outcome.TRANSITIONS[current]
        named = message.split("Allowed from here:")[1]
        assert {s for s in S.values if str(OUTCOME_LABELS[s]) in named} == set(allowed)
        if not allowed:
            assert "none: it is final" in named
        outcome.refresh_from_db()
        assert outcome.status == current
        assert row_counts(Outcome) == before
