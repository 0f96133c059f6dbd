"""The layouts published outcome documents come in, one test per class (issue 22).

Each text is small and written for the class it shows: a bullet before the item's own
number, a title block, page and web furniture, an unnumbered first paragraph, numbering
that restarts under each heading, annexes, hard-wrapped and hyphenated lines, action
items in the imperative, and the bad input the preview must say something about.
"""

import pytest
from django.core.exceptions import ValidationError

from outcomes.api.imports import DraftSerializer
from outcomes.importing.drafts import Draft
from outcomes.importing.statement import infer_kind, parse_statement
from outcomes.models import Outcome

pytestmark = pytest.mark.django_db

MARKERS = ("•", "(1)", "(2)", "a)", "b)", "\u2013 ", "- ")


def numbers_and_parents(draft: Draft) -> list[tuple[str, str | None]]:
    return [(outcome.number, outcome.parent_number) for outcome in draft.outcomes]


def texts(draft: Draft) -> dict[str, str]:
    return {outcome.number: outcome.text for outcome in draft.outcomes}


def test_a_bullet_before_the_items_own_number_leaves_the_number_and_no_marker():
    text = (
        "3. The parties agreed on the following actions:\n"
        "• (1) Enhance maritime surveillance;\n"
        "• (2) Exchange information on:\n"
        "- a) illegal fishing;\n"
        "- b) people smuggling.\n"
        "\u2013 4. The parties noted the report of the working group.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [
        ("3", None),
        ("3(1)", "3"),
        ("3(2)", "3"),
        ("3(2)(a)", "3(2)"),
        ("3(2)(b)", "3(2)"),
        ("4", None),
    ]
    assert texts(draft)["3(1)"] == "Enhance maritime surveillance;"
    assert texts(draft)["3(2)(a)"] == "illegal fishing;"
    assert texts(draft)["4"].startswith("The parties noted")
    for outcome in draft.outcomes:
        assert not outcome.text.startswith(MARKERS), outcome.text


def test_the_title_block_gives_title_place_and_date_and_no_outcome():
    text = (
        "FIFTY-THIRD PACIFIC ISLANDS FORUM LEADERS MEETING\n"
        "Suva, Fiji\n"
        "8 July 2022\n"
        "FORUM COMMUNIQUÉ\n"
        "PIFS(22)10\n"
        "\n"
        "1. Leaders met in Suva and welcomed the Prime Minister of Fiji as Chair.\n"
        "2. Leaders agreed to strengthen regional security cooperation.\n"
    )

    draft = parse_statement(text)

    assert draft.title == "FORUM COMMUNIQUÉ"
    assert draft.place == "Suva, Fiji"
    assert draft.adopted_on == "2022-07-08"
    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    assert draft.outcomes[0].text.startswith("Leaders met in Suva")
    assert all("2022" not in outcome.heading for outcome in draft.outcomes)


def test_a_date_line_standing_alone_in_the_body_is_no_outcome():
    text = (
        "1. Members agreed to meet again in Nadi.\n"
        "2. Members thanked Fiji for hosting.\n"
        "\n"
        "Suva, 8 July 2022\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    assert draft.adopted_on == "2022-07-08"
    assert draft.furniture == ["Suva, 8 July 2022"]


def test_a_meeting_over_several_days_is_adopted_on_its_last_day():
    text = (
        "Chair\u2019s Statement\n"
        "Nuku\u2019alofa, Tonga, 12-14 August 2019\n"
        "\n"
        "1. Ministers met to review the Boe Declaration Action Plan.\n"
    )

    draft = parse_statement(text)

    assert draft.title == "Chair\u2019s Statement"
    assert draft.place == "Nuku\u2019alofa, Tonga"
    assert draft.adopted_on == "2019-08-14"
    assert [outcome.number for outcome in draft.outcomes] == ["1"]


def test_page_and_web_furniture_is_dropped_listed_and_warned_about():
    text = (
        "Back to Index\n"
        "The Outcomes are printed verbatim below.\n"
        "1. Ministers agreed to convene a regional workshop on\n"
        "\n"
        "Forum Foreign Ministers Meeting Outcomes\n"
        "Page 1 of 2\n"
        "\n"
        "cyber security in the first half of the year.\n"
        "2. Ministers noted the update on the Pacific Resilience Facility.\n"
        "- 2 -\n"
        "Forum Foreign Ministers Meeting Outcomes\n"
        "Page 2 of 2\n"
        "3. Ministers welcomed the offer of Samoa to host the next meeting.\n"
        "Share this\n"
        "Print\n"
        "Facebook\n"
        "Twitter\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None), ("3", None)]
    assert texts(draft)["1"] == (
        "Ministers agreed to convene a regional workshop on cyber security in the first "
        "half of the year."
    )
    assert draft.furniture == [
        "Back to Index",
        "The Outcomes are printed verbatim below.",
        "Forum Foreign Ministers Meeting Outcomes",
        "Page 1 of 2",
        "- 2 -",
        "Page 2 of 2",
        "Share this",
        "Print",
        "Facebook",
        "Twitter",
    ]
    assert any(
        warning.startswith("11 lines were dropped as page furniture") for warning in draft.warnings
    )


def test_a_web_page_gives_its_breadcrumbs_and_links_to_the_furniture():
    text = (
        "Home \u00bb News \u00bb Media Releases\n"
        "Forum Economic Ministers Meeting 2019: Outcomes\n"
        "Posted 14 August 2019\n"
        "Apia, Samoa\n"
        "Print\n"
        "1. Ministers agreed to develop a regional approach to disaster risk financing.\n"
        "Share: Facebook | Twitter | Print\n"
    )

    draft = parse_statement(text)

    assert (draft.title, draft.place, draft.adopted_on) == (
        "Forum Economic Ministers Meeting 2019: Outcomes",
        "Apia, Samoa",
        "2019-08-14",
    )
    assert [outcome.number for outcome in draft.outcomes] == ["1"]
    assert draft.furniture == [
        "Home \u00bb News \u00bb Media Releases",
        "Print",
        "Share: Facebook | Twitter | Print",
    ]


def test_an_unnumbered_first_paragraph_before_2_is_paragraph_1():
    text = (
        "Leaders of the Pacific Islands Forum met in Aitutaki, Cook Islands.\n"
        "2. Leaders endorsed the 2050 Strategy Implementation Plan.\n"
        "3. Leaders noted the report of the Secretary General.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None), ("3", None)]
    assert texts(draft)["1"].startswith("Leaders of the Pacific Islands Forum met")


def test_numbering_that_restarts_under_each_heading_makes_each_heading_a_section():
    text = (
        "MARITIME SECURITY\n"
        "1. Enhance joint patrols in the exclusive economic zones.\n"
        "2. Exchange information on vessels of interest, including:\n"
        "(a) fishing vessels without licences;\n"
        "(b) vessels that switch off their transponders.\n"
        "\n"
        "Policing\n"
        "1. Hold an annual meeting of police commissioners.\n"
        "2. Conduct a joint exercise on disaster response.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [
        ("A", None),
        ("A(1)", "A"),
        ("A(2)", "A"),
        ("A(2)(a)", "A(2)"),
        ("A(2)(b)", "A(2)"),
        ("B", None),
        ("B(1)", "B"),
        ("B(2)", "B"),
    ]
    sections = {o.number: o for o in draft.outcomes if o.is_section}
    assert [(number, section.text) for number, section in sections.items()] == [
        ("A", "MARITIME SECURITY"),
        ("B", "Policing"),
    ]
    assert any("starts again under each heading" in warning for warning in draft.warnings)


@pytest.mark.parametrize(
    "heading",
    [
        "Pillar {n} \u2013 {title}",
        "Priority {n}: {title}",
        "Objective {n}. {title}",
        "Key Result Area {n}: {title}",
        "Outcome Area {n}: {title}",
    ],
)
def test_a_heading_that_names_its_own_number_is_that_numbered_section(heading):
    text = (
        f"{heading.format(n=1, title='Fisheries Enforcement')}\n"
        "\n"
        "(1) Conduct joint patrols of the shared exclusive economic zones.\n"
        "(2) Share vessel monitoring data, covering:\n"
        "    a) licensed foreign vessels;\n"
        "    b) vessels of interest.\n"
        "\n"
        f"{heading.format(n=2, title='Customs Cooperation')}\n"
        "\n"
        "(1) Hold an annual meeting of the heads of customs.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [
        ("1", None),
        ("1(1)", "1"),
        ("1(2)", "1"),
        ("1(2)(a)", "1(2)"),
        ("1(2)(b)", "1(2)"),
        ("2", None),
        ("2(1)", "2"),
    ]
    assert [o.number for o in draft.outcomes if o.is_section] == ["1", "2"]
    assert texts(draft)["2"] == "Customs Cooperation"


def test_a_numbered_title_with_no_list_under_it_is_no_section():
    text = (
        "The Ministers met in Nuku\u2019alofa.\n"
        "\n"
        "Vision 2: Looking Ahead\n"
        "\n"
        "The Ministers thanked the host.\n"
    )

    draft = parse_statement(text)

    assert not any(outcome.is_section for outcome in draft.outcomes)


def test_a_running_header_printed_once_beside_a_page_number_is_furniture():
    text = (
        "1. The Committee welcomed the report of the working group on customs\n"
        "\n"
        "- 1 -\n"
        "\n"
        "Regional Customs Committee \u2013 Summary Record\n"
        "\n"
        "and agreed to publish it.\n"
        "2. The Committee noted the budget for the next year.\n"
        "\n"
        "Secretariat of the Customs Committee\n"
        "\n"
        "Page 2 of 2\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    assert texts(draft)["1"] == (
        "The Committee welcomed the report of the working group on customs "
        "and agreed to publish it."
    )
    assert set(draft.furniture) == {
        "- 1 -",
        "Regional Customs Committee \u2013 Summary Record",
        "Secretariat of the Customs Committee",
        "Page 2 of 2",
    }


def test_a_heading_at_the_top_of_a_page_over_its_list_is_no_furniture():
    text = (
        "1. The Committee noted the report.\n"
        "\n"
        "Page 1 of 2\n"
        "\n"
        "Border Management\n"
        "\n"
        "2. The Committee agreed to hold a workshop.\n"
    )

    draft = parse_statement(text)

    assert draft.furniture == ["Page 1 of 2"]
    assert draft.outcomes[1].heading == "Border Management"


def test_a_footer_repeated_with_its_page_number_changed_is_furniture():
    footer = "Fisheries Officials Meeting, May 2027 \u2013 Summary of Decisions and Actions"
    text = (
        "1. Officials agreed on a common format for catch reports.\n"
        "\n"
        f"{footer} \u2013 Page 1 of 2\n"
        "\n"
        "2. Officials noted the progress on observer coverage.\n"
        "\n"
        f"{footer} \u2013 Page 2 of 2\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    assert draft.furniture == [
        f"{footer} \u2013 Page 1 of 2",
        f"{footer} \u2013 Page 2 of 2",
    ]


def test_a_footer_ending_in_a_page_number_after_a_run_of_spaces_is_furniture():
    footer = "Customs Heads Meeting          Page 1 of 3"
    text = (
        "1. The Heads agreed on the work programme.\n"
        "\n"
        f"{footer}\n"
        "\n"
        "2. The Heads thanked the host.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    assert draft.furniture == [footer]


def test_numbering_that_continues_across_headings_keeps_them_as_headings():
    text = (
        "MARITIME SECURITY\n"
        "1. Members agreed to enhance joint patrols.\n"
        "CYBER SECURITY\n"
        "2. Members agreed to share incident reports.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    headings = [outcome.heading for outcome in draft.outcomes]
    assert headings == ["MARITIME SECURITY", "CYBER SECURITY"]
    assert not any(outcome.is_section for outcome in draft.outcomes)


def test_annexes_after_the_body_are_kept_apart_from_the_outcomes():
    text = (
        "1. Members agreed to establish a working group on climate security.\n"
        "2. Members adopted the terms of reference in Annex A.\n"
        "\n"
        "Annex A: Terms of reference\n"
        "1. The working group meets twice a year.\n"
        "2. It reports to the Forum Regional Security Committee.\n"
        "\n"
        "ANNEX 2\n"
        "LIST OF PARTICIPANTS\n"
        "Fiji, Palau, Samoa, Tonga.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    assert draft.annexes == [
        {
            "title": "Annex A: Terms of reference",
            "text": "1. The working group meets twice a year.\n"
            "2. It reports to the Forum Regional Security Committee.",
        },
        {"title": "ANNEX 2: LIST OF PARTICIPANTS", "text": "Fiji, Palau, Samoa, Tonga."},
    ]


def test_hard_breaks_page_splits_hyphens_and_stray_quotes_are_mended():
    text = (
        "1. Members welcomed the regional cooper-\n"
        "ation on the ‟Blue Pacific” narrative and the Asia-\n"
        "Pacific dialogue on ``ocean governance''.\n"
        "2. Members agreed to continue the\n"
        "\n"
        "work of the taskforce on transnational crime.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None)]
    assert texts(draft)["1"] == (
        "Members welcomed the regional cooperation on the “Blue Pacific” narrative and the "
        "Asia-Pacific dialogue on “ocean governance”."
    )
    assert texts(draft)["2"] == (
        "Members agreed to continue the work of the taskforce on transnational crime."
    )


def test_action_items_in_the_imperative_are_commitments():
    text = (
        "1. Enhance cooperation between maritime agencies.\n"
        "2. Exchange liaison officers between the two police forces.\n"
        "3. Explore a joint training centre.\n"
        "4. Review of the action plan by the Committee.\n"
    )

    draft = parse_statement(text)

    kinds = {outcome.number: outcome.kind for outcome in draft.outcomes}
    assert kinds == {
        "1": Outcome.Kind.COMMITMENT,
        "2": Outcome.Kind.COMMITMENT,
        "3": Outcome.Kind.COMMITMENT,
        "4": "",
    }


def test_a_text_without_numbering_numbers_each_paragraph_and_says_so():
    text = (
        "Members met in Honiara.\n"
        "\n"
        "Members agreed to meet again next year.\n"
        "\n"
        "Members thanked Solomon Islands for hosting.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None), ("3", None)]
    assert any("no numbering" in warning for warning in draft.warnings)


def test_wrapped_paragraphs_set_apart_by_blank_lines_keep_their_lines_together():
    text = (
        "The Heads of Customs of the Oceania Customs Organisation (OCO)\n"
        "gathered in Rarotonga for their annual conference.\n"
        "\n"
        "The conference welcomed two new members. It asked the\n"
        "Secretariat to revise the strategic plan.\n"
        "\n"
        "The conference thanked the Cook Islands for its hospitality, and asked\n"
        "members to report on the pilot of electronic declarations at the\n"
        "\n"
        "OCO Annual Conference 2027 \u2013 Outcomes          Page 1 of 2\n"
        "\n"
        "next conference.\n"
        "\n"
        "OCO Annual Conference 2027 \u2013 Outcomes          Page 2 of 2\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None), ("3", None)]
    assert texts(draft)["1"] == (
        "The Heads of Customs of the Oceania Customs Organisation (OCO) gathered in "
        "Rarotonga for their annual conference."
    )
    assert texts(draft)["2"] == (
        "The conference welcomed two new members. It asked the Secretariat to revise "
        "the strategic plan."
    )
    assert texts(draft)["3"].endswith("electronic declarations at the next conference.")
    assert any("no numbering" in warning for warning in draft.warnings)


def test_lines_without_blank_lines_between_stay_separate_paragraphs():
    text = (
        "WORKSHOP SUMMARY\n"
        "\n"
        "The workshop reviewed the customs risk model.\n"
        "Participants shared experiences of targeting.\n"
        "The Secretariat will circulate the report.\n"
    )

    draft = parse_statement(text)

    assert [outcome.text for outcome in draft.outcomes] == [
        "The workshop reviewed the customs risk model.",
        "Participants shared experiences of targeting.",
        "The Secretariat will circulate the report.",
    ]


def test_the_title_is_the_last_title_line_naming_a_kind_of_document():
    text = (
        "NUKU\u2019ALOFA DECLARATION\n"
        "ACTION PLAN 2027\u20132029\n"
        "Nuku\u2019alofa, Tonga\n"
        "3 March 2027\n"
        "\n"
        "1. Strengthen the regional customs network.\n"
    )

    draft = parse_statement(text)

    assert draft.title == "ACTION PLAN 2027\u20132029"
    assert draft.place == "Nuku\u2019alofa, Tonga"


def test_two_items_with_the_same_number_are_refused_with_both_lines():
    text = "1. Members met in Apia.\n2. Members agreed.\n2. Members noted the report.\n"

    with pytest.raises(ValidationError) as refused:
        parse_statement(text)

    assert refused.value.messages == ["Number 2 appears twice (lines 2 and 3)."]


def test_mixed_numbering_styles_are_said_not_silently_renumbered():
    text = (
        "1. Members met in Port Vila.\n"
        "2. Members agreed to share data.\n"
        "(3) Members noted the report.\n"
        "4. Members thanked Vanuatu.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [("1", None), ("2", None), ("3", None), ("4", None)]
    assert any(
        "mixed numbering" in warning.lower() and "3" in warning for warning in draft.warnings
    )


def test_the_new_fields_travel_through_a_dict_and_the_api():
    text = (
        "OUTCOMES OF THE FORUM ECONOMIC MINISTERS MEETING\n"
        "Apia, Samoa\n"
        "3 August 2023\n"
        "\n"
        "1. Ministers agreed to review the trade facilitation programme.\n"
        "Page 1 of 1\n"
        "\n"
        "Annex A: Participants\n"
        "Samoa, Fiji.\n"
    )
    draft = parse_statement(text)

    again = Draft.from_dict(draft.as_dict())
    data = DraftSerializer(draft).data

    assert again == draft
    assert (data["title"], data["place"], data["adopted_on"]) == (
        "OUTCOMES OF THE FORUM ECONOMIC MINISTERS MEETING",
        "Apia, Samoa",
        "2023-08-03",
    )
    assert data["furniture"] == ["Page 1 of 1"]
    assert data["annexes"] == [{"title": "Annex A: Participants", "text": "Samoa, Fiji."}]


def test_a_letter_o_bullet_before_the_items_own_number_is_a_bullet():
    text = (
        "Part 2 \u2013 Cyber Security\n"
        "\n"
        "o 1. Leaders noted the rise in ransomware attacks on utilities.\n"
        "o 2. Leaders decided that officials would draft a response protocol, covering:\n"
        "   \u2013 a) the reporting of incidents;\n"
        "   \u2013 b) the sharing of indicators.\n"
        "\n"
        "o Leaders also thanked the host.\n"
    )

    draft = parse_statement(text)

    assert [outcome.number for outcome in draft.outcomes][:5] == [
        "2",
        "2(1)",
        "2(2)",
        "2(2)(a)",
        "2(2)(b)",
    ]
    assert texts(draft)["2(1)"].startswith("Leaders noted")
    # An "o" with no number after it is a word, not a bullet.
    assert any(outcome.text.startswith("o Leaders also") for outcome in draft.outcomes)


def test_the_next_letter_after_a_roman_sub_list_goes_back_to_the_letters():
    text = (
        "4. The parties agreed to:\n"
        "\u25aa (a) Review the treaty every five years;\n"
        "\u25aa (b) Train officers in:\n"
        "    - (i) forensic accounting;\n"
        "    - (ii) digital evidence;\n"
        "\u25aa (c) Convene a dialogue each year.\n"
    )

    draft = parse_statement(text)

    assert numbers_and_parents(draft) == [
        ("4", None),
        ("4(a)", "4"),
        ("4(b)", "4"),
        ("4(b)(i)", "4(b)"),
        ("4(b)(ii)", "4(b)"),
        ("4(c)", "4"),
    ]


def test_a_title_written_out_in_full_with_a_bracketed_short_name_is_the_title():
    text = (
        "Record of Decisions of the Ninth Meeting of the Regional Customs Heads "
        "Working Group on Border Revenue (RCH WG9)\n"
        "Honiara, Solomon Islands\n"
        "5 \u2013 6 May 2025\n"
        "\n"
        "1. Members noted the report of the Chair.\n"
        "2. Members agreed to meet again in 2026.\n"
    )

    draft = parse_statement(text)

    assert draft.title.endswith("Border Revenue (RCH WG9)")
    assert (draft.place, draft.adopted_on) == ("Honiara, Solomon Islands", "2025-05-06")
    assert [outcome.number for outcome in draft.outcomes] == ["1", "2"]


def test_a_short_first_line_ending_with_a_comma_opens_paragraph_one():
    text = (
        "FORUM TRADE MINISTERS MEETING\n"
        "OUTCOMES\n"
        "Nadi, Fiji\n"
        "2 June 2025\n"
        "\n"
        "Ministers from Fiji, Kiribati, Nauru, Niue, Palau, Samoa, Tonga, Tuvalu,\n"
        "and Vanuatu met in Nadi to review regional trade.\n"
        "\n"
        "2. Ministers agreed to update the trade strategy.\n"
    )

    draft = parse_statement(text)

    assert draft.title == "OUTCOMES"
    assert texts(draft)["1"].startswith("Ministers from Fiji, Kiribati")


def test_a_plan_named_under_the_parties_line_is_the_title():
    text = (
        "FIJI \u2013 NEW ZEALAND\n"
        "POLICING SUPPORT PLAN 2026\n"
        "Suva, Fiji\n"
        "1 March 2026\n"
        "\n"
        "1. Provide training for investigators.\n"
        "2. Support the community policing programme.\n"
    )

    draft = parse_statement(text)

    assert draft.title == "POLICING SUPPORT PLAN 2026"


def test_a_news_sites_section_line_and_story_links_are_furniture():
    text = (
        "Islands desk | Politics\n"
        "\n"
        "MINISTERS OF JUSTICE MEETING\n"
        "Apia, Samoa\n"
        "3 March 2026\n"
        "OUTCOMES\n"
        "\n"
        "1. Ministers agreed to review the regional extradition guidelines.\n"
        "\n"
        "See also: Samoa opens new courthouse in Salelologa\n"
        "\n"
        "2. Ministers noted the report on court backlogs.\n"
        "Related: Judges call for more interpreters\n"
        "Read more\n"
        "3. Ministers welcomed the new legal aid network.\n"
    )

    draft = parse_statement(text)

    assert draft.title == "OUTCOMES"
    assert [outcome.number for outcome in draft.outcomes] == ["1", "2", "3"]
    assert texts(draft)["2"] == "Ministers noted the report on court backlogs."
    assert draft.furniture == [
        "Islands desk | Politics",
        "See also: Samoa opens new courthouse in Salelologa",
        "Related: Judges call for more interpreters",
        "Read more",
    ]


def test_the_headlines_under_most_read_are_furniture_to_the_end_of_the_text():
    text = (
        "1. Ministers agreed to fund two regional patrol boats.\n"
        "\n"
        "More stories\n"
        "Tonga hosts fisheries talks\n"
        "\n"
        "Storm damage closes Port Vila wharf\n"
        "Most read\n"
        "Why the reef matters to Palau's economy\n"
    )

    draft = parse_statement(text)

    assert texts(draft) == {"1": "Ministers agreed to fund two regional patrol boats."}
    assert set(draft.furniture) == {
        "More stories",
        "Tonga hosts fisheries talks",
        "Storm damage closes Port Vila wharf",
        "Most read",
        "Why the reef matters to Palau's economy",
    }


def test_the_headlines_under_related_stories_stop_at_a_numbered_item():
    text = (
        "1. Leaders agreed to meet again in 2027.\n"
        "Related stories\n"
        "Kiribati names new police commissioner\n"
        "2. Leaders thanked the host government.\n"
    )

    draft = parse_statement(text)

    assert [outcome.number for outcome in draft.outcomes] == ["1", "2"]
    assert draft.furniture == ["Related stories", "Kiribati names new police commissioner"]


def test_a_title_line_with_a_bar_naming_the_document_is_no_site_section():
    text = "Forum Communiqué | Tonga 2026\n\n1. Leaders agreed to meet again in 2027.\n"

    draft = parse_statement(text)

    assert draft.title == "Forum Communiqué | Tonga 2026"
    assert draft.furniture == []


@pytest.mark.parametrize(
    ("present", "past"),
    [
        ("recalls its resolution on piracy", "recalled its resolution on piracy"),
        ("welcomes the new patrol boats", "welcomed the new patrol boats"),
        ("notes the report of the Secretariat", "noted the report of the Secretariat"),
        ("encourages members to share data", "encouraged members to share data"),
        ("recognizes the role of women", "recognized the role of women"),
        ("recognises the role of youth", "recognised the role of youth"),
        ("reaffirms its commitment to peace", "reaffirmed its commitment to peace"),
        ("calls upon partners to coordinate", "called upon partners to coordinate"),
        ("decides to remain seized", "decided to remain seized"),
        ("requests the Secretary-General to report", "requested the Secretary-General to report"),
        ("urges States to ratify the treaty", "urged States to ratify the treaty"),
        ("expresses its deep concern", "expressed its deep concern"),
        ("agrees to hold a workshop", "agreed to hold a workshop"),
    ],
)
def test_a_present_tense_operative_verb_gives_the_kind_of_its_past(present, past):
    assert infer_kind(f"The Security Council {present}.") == infer_kind(f"Ministers {past}.")


def test_present_tense_operative_verbs_give_their_kinds():
    kinds = {
        verb: infer_kind(f"The ASEAN Regional Forum {verb} the report.")
        for verb in ("recalls", "recognises", "welcomes", "encourages", "notes", "decides")
    }

    assert kinds == {
        "recalls": Outcome.Kind.REAFFIRMATION,
        "recognises": Outcome.Kind.RECOGNITION,
        "welcomes": Outcome.Kind.WELCOME,
        "encourages": Outcome.Kind.RECOMMENDATION,
        "notes": Outcome.Kind.NOTE,
        "decides": Outcome.Kind.DECISION,
    }
