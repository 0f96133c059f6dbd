"""The private iCalendar feed: what a calendar program subscribed to a person's URL receives.

The URL's secret is the only key (calendar programs do not sign in), so the feed carries
exactly what its owner may see, a revoked secret stops working at once, and every feed is
parsed back with the `icalendar` library, as a calendar program would read it.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from forums.tlp import TLP
from tests.factories import (
    ForumFactory,
    MeetingFactory,
    OutcomeDocumentFactory,
    OutcomeFactory,
    ProfileFactory,
    TaskFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupMembershipFactory,
)
from workinggroups.models import CalendarFeed, Task
from workinggroups.services import calendar_feed_for, calendar_feed_revoke

pytestmark = pytest.mark.django_db

PALAU = ZoneInfo("Pacific/Palau")
S = Task.Status


def feed_url(person) -> str:
    return reverse("calendar:feed", args=[calendar_feed_for(person).token])


def fetch(url: str) -> bytes:
    response = Client().get(url)
    assert response.status_code == 200, response.status_code
    return response.content


def parse(raw: bytes) -> Calendar:
    return Calendar.from_ical(raw)


def todos(calendar: Calendar) -> dict[str, object]:
    return {str(todo["SUMMARY"]): todo for todo in calendar.walk("VTODO")}


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def world():
    """JHOPS: its 4th meeting (Suva, no zone known) set up two groups reporting to the 5th,
    in Koror (Pacific/Palau). Losa sits on the border group; Sione on both."""
    forum = ForumFactory.create(acronym="JHOPS")
    suva = MeetingFactory.create(
        forum=forum,
        sequence=4,
        venue="Suva",
        country="FJ",
        time_zone=None,
        start_date=datetime.date(2026, 8, 4),
        end_date=datetime.date(2026, 8, 5),
    )
    koror = MeetingFactory.create(
        forum=forum,
        sequence=5,
        venue="Koror",
        country="PW",
        time_zone="Pacific/Palau",
        start_date=datetime.date(2027, 8, 23),
        end_date=datetime.date(2027, 8, 25),
    )
    losa = UserFactory.create(username="losa", first_name="Losa", last_name="Tuilagi")
    sione = UserFactory.create(username="sione")
    border = WorkingGroupFactory.create(name="Border group", established_by=suva, reports_to=koror)
    maritime = WorkingGroupFactory.create(
        name="Maritime group", established_by=suva, reports_to=koror, tlp=TLP.AMBER
    )
    for seat in ((border, losa), (border, sione), (maritime, sione)):
        WorkingGroupMembershipFactory.create(working_group=seat[0], person=seat[1])
    document = OutcomeDocumentFactory.create(meeting=suva, code="JHOPS/4")
    cited = OutcomeFactory.create(document=document, number="16", citation_code="JHOPS/4/16")
    secret = OutcomeFactory.create(
        document=document, number="17", citation_code="JHOPS/4/17", tlp=TLP.RED
    )
    secret.recipients.set([sione])
    ledger = TaskFactory.create(
        working_group=border,
        title="Regional watch-list ledger",
        due_on=datetime.date(2027, 7, 31),
        status=S.IN_PROGRESS,
        progress=40,
    )
    ledger.outcomes.set([cited, secret])
    # Planted: work Losa may not see, with words found nowhere else.
    amber = TaskFactory.create(
        working_group=maritime, title="Frigatebird patrol roster", tlp=TLP.AMBER
    )
    red = TaskFactory.create(working_group=border, title="Cassowary informant list", tlp=TLP.RED)
    red.recipients.set([sione])
    # A forum Losa has no standing in.
    MeetingFactory.create(forum=ForumFactory.create(acronym="PIDC"), sequence=9, venue="Apia")
    return {
        "losa": losa,
        "sione": sione,
        "border": border,
        "koror": koror,
        "suva": suva,
        "ledger": ledger,
        "amber": amber,
        "red": red,
        "document": document,
    }


# --- what is in it ---------------------------------------------------------------------------


def test_the_next_meeting_is_an_all_day_event_on_the_venues_dates(world):
    raw = fetch(feed_url(world["losa"]))
    calendar = parse(raw)
    koror = events(calendar)["5th JHOPS"]

    # Dates, not times: 23 to 25 August in Koror (DTEND is exclusive: the day after).
    assert type(koror.decoded("DTSTART")) is datetime.date
    assert koror.decoded("DTSTART") == datetime.date(2027, 8, 23)
    assert koror.decoded("DTEND") == datetime.date(2027, 8, 26)
    assert b"DTSTART;VALUE=DATE:20270823" in raw
    assert b"DTEND;VALUE=DATE:20270826" in raw
    assert "TZID" not in koror["DTSTART"].params
    assert str(koror["LOCATION"]) == "Koror, Palau"
    assert str(koror["UID"]) == f"meeting-{world['koror'].pk}@127.0.0.1"
    assert "DTSTAMP" in koror
    # The zone travels with the feed for the task falling due in Koror, so programs
    # without a zone database place its deadline right.
    zones = [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]
    assert zones == ["Pacific/Palau"]


def test_a_meeting_across_the_date_line_keeps_its_days_for_every_reader(world):
    """00:00 in Nuku'alofa (UTC+13) is 01:00 the day before in Rarotonga (UTC-10): a timed
    event would show a reader in the Cook Islands a meeting starting a day early."""
    MeetingFactory.create(
        forum=world["koror"].forum,
        sequence=6,
        venue="Nuku'alofa",
        country="TO",
        time_zone="Pacific/Tongatapu",
        start_date=datetime.date(2028, 9, 12),
        end_date=datetime.date(2028, 9, 13),
    )
    raw = fetch(feed_url(world["losa"]))
    tonga = events(parse(raw))["6th JHOPS"]

    assert type(tonga.decoded("DTSTART")) is datetime.date
    assert (tonga.decoded("DTSTART"), tonga.decoded("DTEND")) == (
        datetime.date(2028, 9, 12),
        datetime.date(2028, 9, 14),
    )
    assert b"DTSTART;VALUE=DATE:20280912" in raw
    assert b"Tongatapu" not in raw  # no zone: nothing in the feed is timed there


def test_a_meeting_without_a_venue_time_zone_is_a_run_of_whole_days(world):
    raw = fetch(feed_url(world["losa"]))
    suva = events(parse(raw))["4th JHOPS"]

    assert suva.decoded("DTSTART") == datetime.date(2026, 8, 4)
    assert suva.decoded("DTEND") == datetime.date(2026, 8, 6)
    assert b"DTSTART;VALUE=DATE:20260804" in raw
    assert "TZID" not in suva["DTSTART"].params
    assert str(suva["LOCATION"]) == "Suva, Fiji"


def test_a_task_falls_due_at_23_59_in_the_time_zone_of_its_meeting(world):
    raw = fetch(feed_url(world["losa"]))
    ledger = todos(parse(raw))["Regional watch-list ledger"]

    assert ledger["DUE"].params["TZID"] == "Pacific/Palau"
    assert ledger.decoded("DUE") == datetime.datetime(2027, 7, 31, 23, 59, tzinfo=PALAU)
    assert b"DUE;TZID=Pacific/Palau:20270731T235900" in raw
    assert str(ledger["STATUS"]) == "IN-PROCESS"
    assert int(ledger["PERCENT-COMPLETE"]) == 40
    assert str(ledger["UID"]) == f"task-{world['ledger'].pk}@127.0.0.1"
    assert str(ledger["URL"]) == f"http://127.0.0.1:8000/tasks/{world['ledger'].pk}/"
    world["ledger"].refresh_from_db()
    assert ledger.decoded("LAST-MODIFIED") == world["ledger"].updated_at.replace(microsecond=0)
    description = str(ledger["DESCRIPTION"])
    assert "Border group" in description
    assert "5th JHOPS" in description
    assert "JHOPS/4/16" in description


def test_a_task_whose_meeting_has_no_time_zone_falls_due_at_23_59_utc(world):
    TaskFactory.create(
        working_group=world["border"],
        title="Suva follow-up",
        reports_to=world["suva"],
        due_on=datetime.date(2026, 8, 1),
    )
    raw = fetch(feed_url(world["losa"]))
    follow_up = todos(parse(raw))["Suva follow-up"]

    assert follow_up.decoded("DUE") == datetime.datetime(2026, 8, 1, 23, 59, tzinfo=datetime.UTC)
    assert b"DUE:20260801T235900Z" in raw


@pytest.mark.parametrize(
    ("status", "progress", "expected"),
    [
        (S.NOT_STARTED, 0, "NEEDS-ACTION"),
        (S.IN_PROGRESS, 35, "IN-PROCESS"),
        (S.BLOCKED, 50, "IN-PROCESS"),
        (S.READY, 100, "IN-PROCESS"),
        (S.RATIFIED, 100, "COMPLETED"),
        (S.WITHDRAWN, 20, "CANCELLED"),
    ],
)
def test_each_task_status_has_its_calendar_status_and_progress(world, status, progress, expected):
    TaskFactory.create(
        working_group=world["border"], title="Status probe", status=status, progress=progress
    )
    probe = todos(parse(fetch(feed_url(world["losa"]))))["Status probe"]

    assert str(probe["STATUS"]) == expected
    assert int(probe["PERCENT-COMPLETE"]) == progress


def test_closed_work_leaves_the_feed_after_ninety_days_and_undated_work_is_not_in_it(world):
    old = TaskFactory.create(
        working_group=world["border"], title="Long ratified", status=S.RATIFIED
    )
    Task.objects.filter(pk=old.pk).update(
        updated_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=91)
    )
    TaskFactory.create(working_group=world["border"], title="Lately ratified", status=S.RATIFIED)
    TaskFactory.create(
        working_group=world["border"], title="No date yet", reports_to=None, due_on=None
    )

    titles = set(todos(parse(fetch(feed_url(world["losa"])))))

    assert "Lately ratified" in titles
    assert "Long ratified" not in titles
    assert "No date yet" not in titles


def test_the_calendar_names_its_owner_and_asks_to_be_fetched_hourly(world):
    raw = fetch(feed_url(world["losa"]))
    calendar = parse(raw)

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "Talanoa" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Talanoa — Losa Tuilagi"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in raw
    assert b"X-PUBLISHED-TTL:PT1H" in raw


def test_the_feed_speaks_its_owners_language(world):
    losa = world["losa"]
    ProfileFactory.create(user=losa, language="fr")
    ledger = todos(parse(fetch(feed_url(losa))))["Regional watch-list ledger"]
    description = str(ledger["DESCRIPTION"])
    assert "Groupe de travail\u00a0: Border group" in description
    assert "Statut\u00a0: En cours" in description
    assert "Contribue aux résultats\u00a0: JHOPS/4/16" in description


# --- only what its owner may see -----------------------------------------------------------


def test_work_the_owner_may_not_see_never_appears(world):
    raw = fetch(feed_url(world["losa"]))

    assert b"Regional watch-list ledger" in raw
    assert b"Frigatebird" not in raw  # TLP:AMBER work of a group Losa is not on
    assert b"Cassowary" not in raw  # TLP:RED, naming Sione only
    assert b"JHOPS/4/17" not in raw  # a TLP:RED outcome her task serves
    assert b"PIDC" not in raw  # a meeting of a forum she has no standing in
    assert {str(todo["UID"]) for todo in parse(raw).walk("VTODO")} == {
        f"task-{world['ledger'].pk}@127.0.0.1"
    }


def test_the_planted_work_is_in_the_feed_of_someone_who_may_see_it(world):
    """The control for the test above: the words are findable when they are allowed."""
    raw = fetch(feed_url(world["sione"]))

    assert b"Frigatebird" in raw
    assert b"Cassowary" in raw
    assert b"JHOPS/4/17" in raw


def test_the_secretariat_sees_every_dated_meeting_and_all_work(world):
    officer = UserFactory.create(username="officer", is_superuser=True)
    raw = fetch(feed_url(officer))

    assert set(events(parse(raw))) == {"4th JHOPS", "5th JHOPS", "9th PIDC"}
    assert b"Frigatebird" in raw
    assert b"Cassowary" in raw


# --- the secret ----------------------------------------------------------------------------


def test_the_secret_is_long_url_safe_unique_and_kept():
    people = [UserFactory.create() for _ in range(10)]
    tokens = [calendar_feed_for(someone).token for someone in people]

    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43,}", token) for token in tokens)
    assert [calendar_feed_for(someone).token for someone in people] == tokens
    assert CalendarFeed.objects.count() == len(people)


def test_revoking_the_feed_stops_the_old_address_and_gives_a_new_one(world):
    losa = world["losa"]
    feed = calendar_feed_for(losa)
    old_url = feed_url(losa)
    assert Client().get(old_url).status_code == 200

    revoked = calendar_feed_revoke(actor=losa, feed=feed)

    assert Client().get(old_url).status_code == 404
    new_url = feed_url(losa)
    assert new_url != old_url
    assert b"Regional watch-list ledger" in fetch(new_url)
    assert revoked.revoked_at is not None
    last = revoked.history.latest()
    assert (last.history_user, last.history_change_reason) == (losa, "Calendar address revoked")
    # The history says who revoked and when; it does not keep the secrets.
    assert not hasattr(last, "token")


def test_an_unknown_secret_finds_nothing():
    assert Client().get(reverse("calendar:feed", args=["x" * 43])).status_code == 404


def test_the_feed_of_someone_who_left_finds_nothing(world):
    url = feed_url(world["losa"])
    world["losa"].is_active = False
    world["losa"].save()

    assert Client().get(url).status_code == 404


def test_the_feed_needs_no_login_and_is_served_as_a_private_calendar(world):
    response = Client().get(feed_url(world["losa"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="talanoa.ics"'
    assert response["Cache-Control"] == "private, no-store"
    assert Client().post(feed_url(world["losa"])).status_code == 405


def test_uids_are_the_same_on_every_fetch(world):
    url = feed_url(world["losa"])

    def uids() -> list[str]:
        calendar = parse(fetch(url))
        return sorted(str(c["UID"]) for c in calendar.walk() if c.name in {"VEVENT", "VTODO"})

    first = uids()
    assert len(first) == 3  # two meetings, one task
    assert uids() == first


def test_the_number_of_queries_does_not_grow_with_tasks(world):
    losa, border = world["losa"], world["border"]
    url = feed_url(losa)
    outcome = OutcomeFactory.create(
        document=world["document"], number="18", citation_code="JHOPS/4/18"
    )

    def count() -> tuple[int, int]:
        fetch(url)  # the standing is kept in the cache: count the steady request
        with CaptureQueriesContext(connection) as queries:
            raw = fetch(url)
        return len(queries), len(parse(raw).walk("VTODO"))

    few, one = count()
    for n in range(29):
        task = TaskFactory.create(working_group=border, title=f"Bulk task {n}")
        task.outcomes.set([outcome])
    many, thirty = count()

    assert (one, thirty) == (1, 30)
    assert many == few, f"{few} queries for one task, {many} for thirty"
    assert few <= 12
