"""The chair's report as a brief for leaders (reports/brief.py): what its main body holds,
capped, and what it leaves to the annexes; the chair's words as written; TLP 2.0's words;
nothing above the level; its own words in the version's language.

The JHoPS record's report, its order and its length are in test_render.py; these tests
build the small worlds each rule needs.
"""

import contextlib
import datetime
import io
import re
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import trans_real
from django.utils.translation.trans_real import CONTEXT_SEPARATOR
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from fixtures.jhops import load_jhops
from forums.tlp import TLP
from outcomes.models import Outcome
from reports import brief as rules
from reports.brief import WORDING, period_ends
from reports.content import build_report, report_today
from reports.models import readers_of
from reports.render import render
from reports.services import chair_summary_save, report_render
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    OutcomeDocumentFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.reports.planted import AMBER_WORDS, RED_WORDS, koror, plant, said, user
from tests.reports.test_render import annex, docx_text, html_text, text_of, word
from workinggroups.models import Task, TaskUpdate

pytestmark = pytest.mark.django_db

TODAY = report_today()


def officer():
    return UserFactory.create(username="officer", is_superuser=True)


def forum_with_meetings(count: int = 4):
    """A forum with meetings 1 to `count`, a year apart, the last one 60 days ago; and the
    one after it, next year."""
    forum = ForumFactory.create(acronym="HOS")
    meetings = [
        MeetingFactory.create(
            forum=forum,
            sequence=n,
            start_date=TODAY - datetime.timedelta(days=60 + 365 * (count - n)),
            end_date=TODAY - datetime.timedelta(days=59 + 365 * (count - n)),
        )
        for n in range(1, count + 1)
    ]
    following = MeetingFactory.create(
        forum=forum,
        sequence=count + 1,
        start_date=TODAY + datetime.timedelta(days=300),
        end_date=TODAY + datetime.timedelta(days=301),
    )
    return meetings, following


def outcomes_of(meeting, count: int, *, short_title: str = "") -> list[Outcome]:
    document = OutcomeDocumentFactory.create(meeting=meeting, short_title=short_title)
    return Outcome.objects.bulk_create(
        Outcome(
            document=document,
            number=str(n),
            position=n,
            text=f"Members agreed on action {n}.",
            kind=Outcome.Kind.AGREEMENT,
            citation_code=f"{document.code}/{n}",
        )
        for n in range(1, count + 1)
    )


def tasks(
    group,
    count: int,
    *,
    status=Task.Status.IN_PROGRESS,
    due=None,
    serving=None,
    lead=None,
    called="work",
):
    made = Task.objects.bulk_create(
        Task(
            working_group=group,
            title=f"{group.name} {called} {n:02d}",
            reports_to=group.reports_to,
            status=status,
            due_on=due,
            lead=lead,
        )
        for n in range(count)
    )
    if serving is not None:
        for task in made:
            task.outcomes.add(serving)
    return made


def between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin)]


# --- the cover ---------------------------------------------------------------------------


FIRST_TLP = {
    TLP.CLEAR: "Recipients can spread this to the world, there is no limit on disclosure.",
    TLP.GREEN: "Limited disclosure, recipients can spread this within their community.",
    TLP.AMBER: "Limited disclosure, recipients can only spread this on a need-to-know basis "
    "within their organization and its clients.",
}


@pytest.mark.parametrize("level", [TLP.CLEAR, TLP.GREEN, TLP.AMBER])
def test_the_cover_gives_the_marking_in_tlp_2_0s_own_words_and_who_may_read_it(level):
    meeting = MeetingFactory.create()
    report = build_report(meeting=meeting, user=officer(), level=level, as_of=TODAY)

    assert report.marking_meaning == f"{TLP(level).label}: {FIRST_TLP[level]}"
    assert report.distribution == readers_of(level)
    assert (report.made_on, report.language) == (TODAY, "en")
    for fmt in ("html", "docx"):
        text = text_of(render(report, fmt))
        assert f"Marking {TLP(level).label}: {FIRST_TLP[level]}" in text, fmt
        assert f"Distribution {readers_of(level)}" in text, fmt
        assert f"Date of this report {TODAY.day} {TODAY.strftime('%b %Y')}" in text, fmt


def test_without_a_version_the_summary_is_the_chairs_as_it_stands_within_the_level(brief):
    chair_summary_save(
        actor=brief["chair"],
        meeting=brief["meeting"],
        key_messages="Keep going.",
        recommendations="Fund the secretariat.",
        tlp=TLP.GREEN,
    )
    green = build_report(
        meeting=brief["meeting"], user=brief["chair"], level=TLP.GREEN, as_of=TODAY
    )
    clear = build_report(
        meeting=brief["meeting"], user=brief["chair"], level=TLP.CLEAR, as_of=TODAY
    )

    assert (green.key_messages, green.recommendations) == ("Keep going.", "Fund the secretariat.")
    assert (clear.key_messages, clear.recommendations) == ("", "")  # its label is above CLEAR
    assert word("no_key_messages") in text_of(render(clear, "html"))


# --- for the leaders' decision -------------------------------------------------------------


def test_work_ready_for_ratification_is_for_decision_with_the_outcome_it_serves_and_its_lead():
    (meeting,), following = forum_with_meetings(1)
    named, unnamed = (
        outcomes_of(meeting, 3, short_title="Apia Outcome")[2],
        outcomes_of(MeetingFactory.create(forum=meeting.forum, sequence=9), 3)[1],
    )
    group = WorkingGroupFactory.create(established_by=meeting, reports_to=following)
    lead = UserFactory.create(first_name="Losaline", last_name="Fonua")
    ready = tasks(group, 14, status=Task.Status.READY, serving=named, lead=lead)
    ready[0].outcomes.add(unnamed)

    report = build_report(meeting=meeting, user=officer(), level=TLP.AMBER, as_of=TODAY)

    assert (len(report.decisions), report.decisions_more, len(report.ready)) == (12, 2, 14)
    first = report.decisions[0]
    assert first.lead == "Losaline Fonua"
    assert first.serves == ["Apia Outcome 3 (HOS/1/3)", "Outcome 2 of the 9th meeting (HOS/9/2)"]
    for fmt in ("html", "docx"):
        text = text_of(render(report, fmt))
        body = between(text, word("decision"), word("recommendations"))
        assert "Apia Outcome 3 (HOS/1/3); Outcome 2 of the 9th meeting (HOS/9/2)" in body, fmt
        assert "Losaline Fonua" in body, fmt
        assert f"{group.name} work 11" in body and f"{group.name} work 12" not in body, fmt
        assert "And 2 more in Annex B." in body, fmt
        assert f"{group.name} work 13" in between(text, annex("attention"), annex("groups"))


# --- stalled or overdue, across the forum ---------------------------------------------------


def test_stalled_or_overdue_work_of_every_meeting_of_the_forum_the_most_pressing_first():
    (_first, second, third, meeting), following = forum_with_meetings(4)
    # A group of the 2nd meeting, reporting to the 3rd: neither set up by this meeting nor
    # reporting to it, its work is still the forum's.
    old = WorkingGroupFactory.create(name="Old group", established_by=second, reports_to=third)
    late = tasks(old, 1, due=TODAY - datetime.timedelta(days=500))
    new = WorkingGroupFactory.create(name="New group", established_by=meeting, reports_to=following)
    overdue = tasks(new, 18, due=TODAY - datetime.timedelta(days=3))
    tasks(new, 2, due=TODAY + datetime.timedelta(days=30), called="on time")  # recorded today
    for task in overdue[:2]:  # moved yesterday: overdue, not stalled
        TaskUpdate.objects.create(
            task=task, status_from="in_progress", status_to="in_progress", progress=40
        )
    # Quiet for 100 days: stalled too.
    Task.objects.filter(pk__in=[t.pk for t in [*late, *overdue[2:]]]).update(
        created_at=timezone.now() - datetime.timedelta(days=100)
    )

    report = build_report(meeting=meeting, user=officer(), level=TLP.AMBER, as_of=TODAY)

    assert "Old group" not in [group.name for group in report.groups]
    listed = [(line.task.title, line.why) for line in report.attention_all]
    assert len(listed) == 19
    # Overdue and stalled first, the longest overdue first; then overdue alone.
    assert listed[0] == ("Old group work 00", "Overdue and stalled")
    assert {why for _title, why in listed[1:17]} == {"Overdue and stalled"}
    assert {title for title, _why in listed[17:]} == {"New group work 00", "New group work 01"}
    assert {why for _title, why in listed[17:]} == {"Overdue"}
    assert (len(report.attention), report.attention_more) == (15, 4)
    assert (report.overdue_count, report.stalled_count) == (19, 17)
    for fmt in ("html", "docx"):
        text = text_of(render(report, fmt))
        body = between(text, f"{word('attention')} (19)", annex("implementation"))
        assert "Old group work 00" in body, fmt
        assert "New group work 01" not in body, fmt
        assert "And 4 more in Annex B." in body, fmt
        assert "New group work 01" in between(text, annex("attention"), annex("groups")), fmt


# --- the state of implementation -------------------------------------------------------------


def test_the_state_of_implementation_counts_outcomes_by_meeting_and_folds_the_oldest():
    meetings, following = forum_with_meetings(10)
    for earlier in meetings[:-1]:
        outcomes_of(earlier, 2)
    adopted = outcomes_of(meetings[-1], 3)
    group = WorkingGroupFactory.create(established_by=meetings[-1], reports_to=following)
    tasks(group, 1, status=Task.Status.RATIFIED, serving=adopted[0])
    tasks(group, 1, status=Task.Status.IN_PROGRESS, serving=adopted[1], called="begun")

    report = build_report(meeting=meetings[-1], user=officer(), level=TLP.AMBER, as_of=TODAY)

    bars = {
        bar.label: {part.key: part.value for part in bar.parts}
        for bar in report.implementation_by_meeting
    }
    assert list(bars) == [
        "10th HOS",
        *(f"{n}th HOS" for n in range(9, 3, -1)),
        "1st to 3rd meetings",
    ]
    assert bars["10th HOS"] == {
        "state:done": 1,
        "state:ready": 0,
        "state:under_way": 1,
        "state:not_started": 0,
        "state:stalled": 0,
        "state:no_work": 1,
    }
    assert bars["1st to 3rd meetings"]["state:no_work"] == 6
    html = render(report, "html").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'id="chart-implementation-title"' in svg
    # Each meeting's bar shows its own spread: the seven whose outcomes all have no work
    # fill the width with one part, whatever their count.
    assert svg.count('width="680.00"') == 7
    assert "1st to 3rd meetings 6 0 0 0 0 0 6" in html_text(html.encode())


def test_the_body_lists_this_meetings_top_level_outcomes_and_annex_a_every_one():
    (meeting,), _next = forum_with_meetings(1)
    parents = outcomes_of(meeting, 45)
    document = parents[0].document
    Outcome.objects.create(
        document=document,
        parent=parents[0],
        number="1(a)",
        position=1000,
        text="A sub-item.",
        citation_code=f"{document.code}/1(a)",
    )

    report = build_report(meeting=meeting, user=officer(), level=TLP.AMBER, as_of=TODAY)

    assert len(report.implementation) == 46
    assert [line.code for line in report.implementation_body] == [
        f"{document.code}/{n}" for n in range(1, 41)
    ]
    assert report.implementation_body_more == 6
    text = text_of(render(report, "html"))
    body = between(text, word("implementation"), f"{word('attention')} (")
    assert "And 6 more in Annex A." in body
    assert f"{document.code}/1(a)" in between(text, annex("implementation"), annex("attention"))


def test_the_work_done_since_the_meeting_is_counted_from_the_tasks_updates():
    (meeting,), following = forum_with_meetings(1)  # opened 60 days ago: weeks
    group = WorkingGroupFactory.create(established_by=meeting, reports_to=following)
    first, second, _third = tasks(group, 3)
    opened = meeting.start_date
    for task, moves in (
        (first, [(10, "ready")]),
        (second, [(20, "ready"), (40, "ratified")]),
    ):
        status = "in_progress"
        for days, to in moves:
            update = TaskUpdate.objects.create(
                task=task, status_from=status, status_to=to, progress=100
            )
            at = datetime.datetime.combine(
                opened + datetime.timedelta(days=days), datetime.time(12), tzinfo=datetime.UTC
            )
            TaskUpdate.objects.filter(pk=update.pk).update(created_at=at)
            status = to

    report = build_report(meeting=meeting, user=officer(), level=TLP.AMBER, as_of=TODAY)

    ends = period_ends(opened, TODAY)
    assert [bar.label for bar in report.work_done] == [label for _day, label in ends]
    counted = {
        day: {part.key: part.value for part in bar.parts}
        for (day, _label), bar in zip(ends, report.work_done, strict=True)
    }
    for day, counts in counted.items():
        since = (day - opened).days
        ready = (since >= 10) + (20 <= since < 40)
        assert counts == {"task:ratified": int(since >= 40), "task:ready": ready}, day
    html = render(report, "html").content.decode()
    assert 'id="chart-work-done-title"' in html
    described = [
        picture._inline.docPr.get("descr")
        for picture in Document(io.BytesIO(render(report, "docx").content)).inline_shapes
    ]
    assert described[-1].startswith(word("chart_work_done"))


def test_work_done_is_counted_in_weeks_then_months_in_at_most_eighteen_columns():
    opened = datetime.date(2023, 8, 23)
    weeks = period_ends(opened, opened + datetime.timedelta(days=50))
    assert [day for day, _label in weeks][-1] == opened + datetime.timedelta(days=50)
    assert len(weeks) == 8 and weeks[0][1] == "24 Aug"
    months = period_ends(opened, datetime.date(2024, 8, 1))
    assert [label for _day, label in months][:2] == ["Aug 2023", "Sep 2023"]
    assert months[-1] == (datetime.date(2024, 8, 1), "Aug 2024")
    years = period_ends(opened, datetime.date(2026, 12, 7))
    assert len(years) <= rules.WORK_DONE_COLUMNS
    assert years[-1][0] == datetime.date(2026, 12, 7)


# --- the glossary ------------------------------------------------------------------------------


def test_the_glossary_explains_codes_kinds_states_and_only_its_own_marking():
    load_jhops()
    report = build_report(meeting=koror(), user=user("chair"), level=TLP.GREEN, as_of=TODAY)

    glossary = {
        section.title: {e.term: e.meaning for e in section.entries} for section in report.glossary
    }
    codes = glossary["Citation codes"]
    assert codes["JHOPS/4/15"] == "Denarau Outcome 15: outcome 15 of the 4th meeting of JHOPS."
    assert "the forum, the number of the meeting" in codes["FORUM/meeting/number"]
    assert glossary["Kinds of outcome"]["Noting / record"].startswith(
        "A paragraph that records rather than decides"
    )
    assert "no update for 90 days" in glossary["Where an outcome stands"]["Stalled"]
    labels = glossary["Who may read it (TLP 2.0)"]
    assert list(labels) == ["CLEAR", "TLP:GREEN", "AMBER", "RED"]
    assert labels["TLP:GREEN"] == (
        f"{FIRST_TLP[TLP.GREEN]} In this forum: the forum's members and observers."
    )
    for fmt in ("html", "docx"):
        text = text_of(render(report, fmt))
        glossary_text = text[text.index(annex("glossary")) :]
        assert "JHOPS/4/15 Denarau Outcome 15: outcome 15" in glossary_text, fmt
        # A mail filter reading markings finds this report's and no other.
        for other in ("TLP:CLEAR", "TLP:AMBER", "TLP:RED"):
            assert other not in text, (fmt, other)


# --- nothing above the level ----------------------------------------------------------------


def test_the_briefs_new_sections_hold_amber_only_at_amber_and_red_never(actor):
    load_jhops(demo_users=True)
    plant(actor)
    green = build_report(meeting=koror(), user=user("chair"), level=TLP.GREEN, as_of=TODAY)
    amber = build_report(meeting=koror(), user=user("chair"), level=TLP.AMBER, as_of=TODAY)

    for word_ in (*AMBER_WORDS, *RED_WORDS):
        assert word_ not in said(green)
    attention = {line.task.title: line.why for line in amber.attention_all}
    assert attention["Tarsier surveillance arrangement"] == "Overdue and stalled"
    assert not any("Narwhal" in title for title in attention)
    assert all("Narwhal" not in line.title for line in amber.decisions)
    # The RED task was made ready today: not counted in the AMBER report's work done.
    assert amber.work_done[-1].parts[1].value == 0
    assert len(amber.attention_all) == len(green.attention_all) + 1
    text = text_of(render(amber, "docx"))
    assert "Tarsier surveillance arrangement" in between(
        text, word("attention"), annex("implementation")
    )
    assert "Narwhal" not in text


# --- the report's own words, in its language ---------------------------------------------------


def msgid(lazy) -> str:
    """What gettext is asked for a lazy word: its message, after its context if any."""
    return CONTEXT_SEPARATOR.join(lazy._args)


@contextlib.contextmanager
def french_with_every_word_marked():
    """French, with each of the report's words between « and »: a word that shows without
    them did not go through gettext in the report's language."""
    ours = {msgid(value) for value in WORDING.values()}
    catalogue = trans_real.translation("fr")
    asked = catalogue.gettext

    def marked(message):
        text = asked(message)
        if message not in ours:
            return text
        # Untranslated, a word with a context comes back with it: pgettext drops both.
        return f"«{text.split(CONTEXT_SEPARATOR)[-1]}»"

    with mock.patch.object(catalogue, "gettext", marked):
        yield


SEEN_IN_KOROR = (  # noqa: SIM905 (a list of words reads best as words)
    "title forum meeting venue dates chair host made_on as_of marking distribution "
    "tlp_source summary key_messages no_key_messages decision ready no_ready recommendations "
    "no_recommendations implementation by_meeting outcomes implementation_this outcome state "
    "progress work last_moved chart_work_done no_work_done attention task lead due why "
    "overdue_and_stalled annex annex_implementation annex_attention annex_groups "
    "annex_documents annex_lineage annex_hosting annex_glossary implementation_earlier "
    "earlier_by_status blocked no_blocked carried_over tasks_by_status mandate reports_to "
    "latest serves by_kind citation number kind text status acted_on_by next_meeting "
    "next_hostings after_hostings member history"
).split()


def spaced(text: str) -> str:
    """French puts a no-break space before « : » and « ; »; a format may give a plain one."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_every_word_of_the_report_is_asked_in_the_versions_language(actor):
    load_jhops(demo_users=True)
    assert all(hasattr(value, "_args") for value in WORDING.values()), "a word is not lazy"
    with french_with_every_word_marked():
        rendered = {
            fmt: report_render(
                actor=user("chair"),
                meeting=koror(),
                level=TLP.GREEN,
                fmt=fmt,
                as_of=TODAY,
                language="fr",
            )
            for fmt in ("html", "docx")
        }
        with translation.override("fr"):
            expected = {key: str(WORDING[key]) for key in SEEN_IN_KOROR}
    for fmt, out in rendered.items():
        text = spaced(text_of(out))
        missing = [
            key for key, marked in expected.items() if spaced(marked.split("%")[0]) not in text
        ]
        assert not missing, (fmt, missing)
        # The record's words in French too: states, the meeting's name, the distribution.
        for french in ("5e JHOPS", "En suspens", "Aucun travail confié"):
            assert french in text, (fmt, french)
        assert "Les membres et observateurs du forum ; à ne pas publier (TLP:GREEN)" in spaced(text)
    assert '<html lang="fr">' in rendered["html"].content.decode()
    document = Document(io.BytesIO(rendered["docx"].content))
    assert document.core_properties.language == "fr"


def test_an_english_report_says_it_is_english():
    report = build_report(
        meeting=MeetingFactory.create(), user=officer(), level=TLP.CLEAR, as_of=TODAY
    )
    assert '<html lang="en">' in render(report, "html").content.decode()
    assert Document(io.BytesIO(render(report, "docx").content)).core_properties.language == "en"


# --- layout: no text runs into the next cell ---------------------------------------------------

# With UNBROKEN, as long as a task's title may be (Task.TITLE_MAX_LENGTH, 300).
LONG_TITLE = "Terms of reference for the regional treaty framework " * 3
UNBROKEN = "JHOPS/5/6(a)(ii)-ANNEX-" * 5  # no space to break at
LONG_NAME = ("Wiremu Tāmati Hōne", "Pōtatau-Te-Whatahoro-Kaitiaki-Ōtautahi")


def long_world():
    """A task with a 300-character title and a 115-character word, led by a long name,
    due on a long day, ready for ratification: in the body and in three annexes."""
    (meeting,), following = forum_with_meetings(1)
    (outcome,) = outcomes_of(meeting, 1, short_title="Denarau Outcome")
    group = WorkingGroupFactory.create(established_by=meeting, reports_to=following)
    lead = UserFactory.create(first_name=LONG_NAME[0], last_name=LONG_NAME[1])
    Task.objects.create(
        working_group=group,
        title=f"{LONG_TITLE}{UNBROKEN}",
        reports_to=following,
        status=Task.Status.READY,
        progress=100,
        due_on=datetime.date(2027, 9, 30),
        lead=lead,
    ).outcomes.add(outcome)
    return build_report(meeting=meeting, user=officer(), level=TLP.AMBER, as_of=TODAY)


def test_every_word_table_has_fixed_columns_within_the_page_and_repeats_its_headings():
    rendered = render(long_world(), "docx").content
    document = Document(io.BytesIO(rendered))
    headings = {word(key) for key in ("task", "outcome", "meeting", "member", "citation")}
    text_width = Mm(178)
    assert len(document.tables) > 10
    for number, table in enumerate(document.tables):
        grid = [column.w for column in table._tbl.tblGrid.gridCol_lst]
        layout = table._tbl.tblPr.find(qn("w:tblLayout"))
        assert layout is not None and layout.get(qn("w:type")) == "fixed", number
        assert sum(grid) <= text_width + Mm(1), (number, sum(grid) / Mm(1))
        for row in table.rows:
            assert [cell.width for cell in row.cells] == grid, number
        repeated = [
            row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
            for row in table.rows
        ]
        has_headings = table.rows[0].cells[0].text in headings
        assert repeated == [has_headings] + [False] * (len(table.rows) - 1), number
    assert b"noWrap" not in zipfile.ZipFile(io.BytesIO(rendered)).read("word/document.xml")
    text = docx_text(rendered)
    for whole in (" ".join(LONG_TITLE.split()), UNBROKEN, " ".join(LONG_NAME), "30 Sep 2027"):
        assert whole in text


def test_every_html_table_has_fixed_columns_and_wrapping_cells():
    """The stylesheet's rules for screen and print (the browser test measures them)."""
    css = (Path(settings.BASE_DIR) / "reports/static/reports/chair_report.css").read_text()
    bare = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = {selector.strip(): body for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", bare)}
    assert "table-layout: fixed" in rules["table"]
    assert "overflow-wrap: anywhere" in rules["th, td"]
    # Nothing in a table may refuse to wrap: only the marking does, outside any table.
    assert [selector for selector, body in rules.items() if "nowrap" in body] == [".tlp"]
    html = render(long_world(), "html").content.decode()
    assert "nowrap" not in html.replace(css, "")
    assert UNBROKEN in html and html.count("<table") >= 10
