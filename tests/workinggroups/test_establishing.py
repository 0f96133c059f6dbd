"""What the statement review reads from a paragraph's words: whether it establishes a
working group, and the task title each of its items makes (issue 22)."""

import pytest

from outcomes.models import Outcome
from workinggroups.models import Task
from workinggroups.services import (
    establishes_working_group,
    group_name_under,
    task_title_from_item,
)


@pytest.mark.parametrize(
    "text",
    [
        "Members agreed to establish an intersessional working group to develop the "
        "following, including:",
        "Members reiterated their commitment to the 2022 Denarau Outcome and agreed to "
        "establish an intersessional working group, to further strengthen relationships",
        "The Meeting established a Working Group on Maritime Security to:",
        "Leaders agreed to set up a small technical working group, including;",
    ],
)
def test_words_that_establish_a_working_group_are_recognised(text):
    assert establishes_working_group(text)


@pytest.mark.parametrize(
    "text",
    [
        # A group that exists already, named or reported on: nothing is established.
        "Members welcomed the report of the established working group on border security:",
        "The working group established in 2022 shall report on the following:",
        "Members noted the establishment of a working group by the Pacific Fusion Centre:",
        "Members agreed to inform the working group of the following:",
        "Members adopted the following priorities for 2025:",
    ],
)
def test_words_that_establish_no_working_group_are_not_taken_for_it(text):
    assert not establishes_working_group(text)


@pytest.mark.parametrize(
    ("item", "title"),
    [
        ("development of a regional ToR; and", "Development of a regional ToR"),
        ("a review of the funding; or", "A review of the funding"),
        (
            "consideration of a treaty, pursuant to Outcome 15 of Denarau Outcome and",
            "Consideration of a treaty, pursuant to Outcome 15 of Denarau Outcome",
        ),
        ("options for pooled training, including:", "Options for pooled training"),
        ("options for pooled training including;", "Options for pooled training"),
        ("a calendar of exchanges;", "A calendar of exchanges"),
        ("joint training for frontline officers.", "Joint training for frontline officers"),
        ("information sharing,", "Information sharing"),
        # A word that only ends in "and" is the item's own.
        ("a visit to Thailand", "A visit to Thailand"),
    ],
)
def test_a_task_title_drops_the_lists_punctuation_and_starts_with_a_capital(item, title):
    assert task_title_from_item(item) == title


def test_a_task_title_longer_than_a_title_is_cut_short():
    title = task_title_from_item("a " + "very " * 100 + "long item; and")

    assert len(title) == Task.TITLE_MAX_LENGTH
    assert title.startswith("A very very")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Heads agreed to establish an intersessional working group on JHoPS governance, "
            "with tasks including:",
            "Working group on JHoPS governance",
        ),
        (
            "Heads agreed to set up a working group for the regional treaty framework to "
            "report to the next Meeting.",
            "Working group for the regional treaty framework",
        ),
        ("Members agreed to establish a working group.", "Working group under JHOPS/8/3"),
        (
            "agreed to establish an intersessional working group including:",
            "Working group under JHOPS/8/3",
        ),
    ],
)
def test_a_new_group_is_named_for_what_its_paragraph_says_it_is_for(text, name):
    outcome = Outcome(text=text, citation_code="JHOPS/8/3")
    assert group_name_under(outcome) == name
