"""The benchmark's data set, generated inside PostgreSQL: one INSERT … SELECT per table.

Why not the services, nor even `bulk_create`: 2,000,000 tasks built as Python objects
take the best part of an hour; `generate_series` writes them in about a minute. Bench
rows are not the secretariat's edits, so they carry no history rows (django-simple-
history records what people change, and nobody changed these) and skip the per-row
`full_clean()` of the services. What the database checks (unique constraints, NOT NULL,
foreign keys, checks) still holds: every id is computed, not looked up, and the formulas
below keep each constraint (a test in tests/test_bench.py checks the shapes).

Shapes, per forum: 10 meetings a few months apart, the 10th opening in the coming weeks
(so due dates spread around today, some overdue); one outcome document per meeting with
numbered outcomes (a tenth are parents of sub-items), links between meetings' outcomes;
working groups set up by the 7th to 9th meetings, reporting to the next one, each with a
lead and members (everyone sits on three groups), ~100 tasks per group serving outcomes
of the meeting that set the group up, with statuses, progress updates and TLP labels;
people with profiles (a Pacific time zone for a third of them, French for a tenth),
reminder preferences, chairs and hosts for every meeting.

One meeting is the chair's report's: the 9th of the first forum, adopting 500 outcomes
(REPORT_OUTCOMES), with 3,300 tasks reporting to it and as many in the groups it set up,
at the small and the large size alike (CI's smoke size: 50 outcomes, ~130 tasks).
"""

import datetime
import json
import os
import time

from django.db import connection, transaction

from forums.standing import standing_changed
from forums.zones import zones_of

ZONES = [
    "Pacific/Palau",
    "Pacific/Port_Moresby",
    "Pacific/Guadalcanal",
    "Pacific/Fiji",
    "Pacific/Tongatapu",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Pacific/Rarotonga",
    "Pacific/Pago_Pago",
]
COUNTRIES = ["FJ", "TO", "WS", "PG", "SB", "VU", "KI", "TV", "NR", "PW", "FM", "MH", "CK", "NU"]
# A meeting's venue zone is one of its country's (Meeting.clean_time_zone).
VENUE_ZONES = [zones_of(country)[0] for country in COUNTRIES]

# Ten meetings a forum at every size; members are a fixed table of states.
MEETINGS_PER_FORUM = 10
MEMBERS = 60
SEATS_PER_FORUM = 20
REPORT_OUTCOMES = 500

SIZES = {
    # tests/test_bench.py
    "tiny": {"forums": 2, "outcomes": 1200, "tasks": 3000, "people": 300},
    # CI's smoke run: every step of the benchmark, in about a minute; a small report
    "smoke": {
        "forums": 20,
        "outcomes": 4000,
        "tasks": 4000,
        "people": 2000,
        "report_outcomes": 50,
    },
    "small": {"forums": 20, "outcomes": 20_000, "tasks": 200_000, "people": 20_000},
    "large": {"forums": 200, "outcomes": 200_000, "tasks": 2_000_000, "people": 200_000},
}

MARKER = "bench_dataset"


def parameters(size: str, today: datetime.date) -> dict:
    counts = SIZES[size]
    forums = counts["forums"]
    meetings = forums * MEETINGS_PER_FORUM
    report_outcomes = min(counts.get("report_outcomes", REPORT_OUTCOMES), counts["outcomes"] // 4)
    per_document = (counts["outcomes"] - report_outcomes) // (meetings - 1)
    if per_document < 10:
        raise ValueError(f"{size}: too few outcomes for {meetings} meetings")
    return {
        **counts,
        "size": size,
        "today": today,
        "meetings": meetings,
        "mpf": MEETINGS_PER_FORUM,
        # The meeting opening in the coming weeks, and the report's meeting (the one before).
        "upcoming": MEETINGS_PER_FORUM,
        "report_meeting": MEETINGS_PER_FORUM - 1,
        "report_outcomes": report_outcomes,
        "per_document": per_document,
        "groups": counts["people"] // 10,
        "members": MEMBERS,
        "zones": ZONES,
        "countries": COUNTRIES,
        "venue_zones": VENUE_ZONES,
    }


# Meeting id of forum f, sequence s: (f - 1) * mpf + s. Its start: the upcoming meeting
# (s = mpf) opens 10 to 29 days from today, each earlier one 90 days before the next.
START = (
    "(%(today)s::date"
    " + (90 * ({s} - %(upcoming)s) + 10 + ({f} - 1) %% 20) * interval '1 day')::date"
)
# Working group g: forum (g - 1) %% forums + 1, set up by meeting mpf - 3 + a third of
# them each (7th, 8th, 9th), reporting to the next.
GROUP_FORUM = "((({g}) - 1) %% %(forums)s + 1)"
GROUP_SEQ = "(%(mpf)s - 3 + ((({g}) - 1) / %(forums)s) %% 3)"

STATEMENTS = [
    (
        "forums_member",
        """
        INSERT INTO forums_member (id, name, short_name, kind, country, time_zone, parent_id)
        SELECT m, 'Bench state ' || m, 'BS' || m, 'state',
               (%(countries)s::text[])[1 + m %% 14], (%(zones)s::text[])[1 + m %% 9], NULL
        FROM generate_series(1, %(members)s) AS m
        """,
    ),
    (
        "forums_forum",
        """
        INSERT INTO forums_forum (id, name, acronym, established_year, description, secretariat_id,
                                  stalled_after_days)
        SELECT f, 'Bench forum ' || f, 'BF' || f, 2000 + f %% 20, 'A generated forum.', NULL, 90
        FROM generate_series(1, %(forums)s) AS f
        """,
    ),
    (
        "forums_forummembership",
        """
        INSERT INTO forums_forummembership (role, joined_on, left_on, forum_id, member_id)
        SELECT CASE WHEN k < 17 THEN 'member' ELSE 'observer' END, NULL, NULL, f,
               (f * 7 + k) %% %(members)s + 1
        FROM generate_series(1, %(forums)s) AS f, generate_series(0, 19) AS k
        """,
    ),
    (
        "forums_meeting",
        f"""
        INSERT INTO forums_meeting (id, sequence, title, start_date, end_date, dates_note,
                                    venue, country, time_zone, forum_id)
        SELECT (f - 1) * %(mpf)s + s, s, '', {START.format(f="f", s="s")},
               {START.format(f="f", s="s")} + 2, '', 'Bench venue ' || f,
               (%(countries)s::text[])[1 + (f + s) %% 14],
               (%(venue_zones)s::text[])[1 + (f + s) %% 14], f
        FROM generate_series(1, %(forums)s) AS f, generate_series(1, %(mpf)s) AS s
        """,
    ),
    (
        "forums_chair",
        """
        INSERT INTO forums_chair (role, office, person_id, meeting_id, member_id)
        SELECT 'chair', '', %(people)s - m.id + 1, m.id, (m.forum_id * 7) %% %(members)s + 1
        FROM forums_meeting AS m
        """,
    ),
    (
        "forums_hosting",
        """
        INSERT INTO forums_hosting (status, announced_at_id, meeting_id, member_id)
        SELECT CASE WHEN m.start_date < %(today)s THEN 'hosted' ELSE 'confirmed' END, NULL,
               m.id, (m.forum_id * 7 + 1 + m.sequence) %% %(members)s + 1
        FROM forums_meeting AS m
        """,
    ),
    (
        "outcomes_outcomedocument",
        """
        INSERT INTO outcomes_outcomedocument (id, kind, title, short_title, code, adopted_on,
                                              place, tlp, source_note, source_text, meeting_id)
        SELECT m.id, 'outcome_statement',
               'Outcome of the ' || m.sequence || 'th BF' || m.forum_id,
               'BF' || m.forum_id || ' Outcome ' || m.sequence,
               'BF' || m.forum_id || '/' || m.sequence,
               CASE WHEN m.start_date < %(today)s THEN m.start_date + 1 END, '', 0, '', '', m.id
        FROM forums_meeting AS m
        """,
    ),
    # Outcomes 1..report_outcomes are the report meeting's; the rest are dealt round the
    # other documents (k-th other document, position j), so ids are computable.
    (
        "outcomes_outcome",
        """
        WITH placed AS (
            SELECT i,
                   CASE WHEN i <= %(report_outcomes)s THEN %(report_meeting)s
                        ELSE 1 + (i - %(report_outcomes)s - 1) %% (%(meetings)s - 1) END AS k,
                   CASE WHEN i <= %(report_outcomes)s THEN i
                        ELSE 1 + (i - %(report_outcomes)s - 1) / (%(meetings)s - 1) END AS position
            FROM generate_series(1, %(outcomes)s) AS i
        ), located AS (
            SELECT i, position,
                   CASE WHEN i <= %(report_outcomes)s THEN k
                        WHEN k < %(report_meeting)s THEN k ELSE k + 1 END AS document,
                   CASE WHEN i <= %(report_outcomes)s THEN 0
                        WHEN k < %(report_meeting)s THEN k ELSE k END AS slot
            FROM placed
        )
        INSERT INTO outcomes_outcome (id, number, position, text, kind, status, tlp,
                                      citation_code, source_note, parent_id, document_id, version)
        SELECT i, position::text, position,
               'Members agreed to take forward bench point ' || position
                 || ', with the support of the secretariat and development partners.',
               (ARRAY['agreement', 'commitment', 'reaffirmation', 'recognition', 'welcome',
                      'decision', 'recommendation', 'note'])[1 + i %% 8],
               CASE WHEN i %% 7 = 0 THEN 'implemented' ELSE 'active' END,
               -- a parent (position 1, 11, 21 …) is CLEAR: its sub-items are never more open
               CASE WHEN position %% 10 = 1 THEN 0
                    WHEN (i * 7) %% 20 < 14 THEN 0 WHEN (i * 7) %% 20 < 18 THEN 1 ELSE 2 END,
               'BF' || ((document - 1) / %(mpf)s + 1) || '/' || ((document - 1) %% %(mpf)s + 1)
                 || '/' || position,
               '',
               CASE WHEN position %% 10 IN (2, 3, 4) THEN
                   CASE WHEN i <= %(report_outcomes)s THEN position - position %% 10 + 1
                        ELSE %(report_outcomes)s + slot
                             + (position - position %% 10) * (%(meetings)s - 1) END
               END,
               document, 1
        FROM located
        """,
    ),
    # Each document after a forum's first reaffirms the one before; one outcome in 25
    # implements an outcome of the previous meeting.
    (
        "outcomes_outcomelink",
        """
        INSERT INTO outcomes_outcomelink (kind, source_id, target_document_id, target_outcome_id)
        SELECT 'reaffirms', o.id, o.document_id - 1, NULL
        FROM outcomes_outcome AS o
        WHERE o.position = 1 AND (o.document_id - 1) %% %(mpf)s <> 0
        UNION ALL
        SELECT 'implements', o.id, NULL, p.id
        FROM outcomes_outcome AS o
        JOIN outcomes_outcome AS p
          ON p.document_id = o.document_id - 1 AND p.position = 1 + o.position %% %(per_document)s
        WHERE o.id %% 25 = 7 AND (o.document_id - 1) %% %(mpf)s <> 0
        """,
    ),
    (
        "auth_user",
        """
        INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name,
                               last_name, email, is_staff, is_active, date_joined)
        SELECT u, '!', NULL, false, 'bench' || u, 'Person', 'No. ' || u,
               'bench' || u || '@example.org', false, true, now() - interval '400 days'
        FROM generate_series(1, %(people)s) AS u
        """,
    ),
    (
        "forums_profile",
        """
        INSERT INTO forums_profile (time_zone, language, member_id, user_id)
        SELECT CASE WHEN u %% 3 = 0 THEN (%(zones)s::text[])[1 + u %% 9] END,
               CASE WHEN u %% 10 = 0 THEN 'fr' ELSE 'en' END, (u - 1) %% %(members)s + 1, u
        FROM generate_series(1, %(people)s) AS u
        """,
    ),
    (
        "workinggroups_reminderpreference",
        """
        INSERT INTO workinggroups_reminderpreference (meeting_digest, task_due, overdue_digest,
                                                      meeting_brief, unsubscribe_token, person_id)
        SELECT true, u %% 20 <> 0, u %% 10 <> 0, true,
               md5('bench-a' || u) || md5('bench-b' || u), u
        FROM generate_series(1, %(people)s) AS u
        """,
    ),
    (
        "workinggroups_workinggroup",
        f"""
        INSERT INTO workinggroups_workinggroup (id, name, mandate, tlp, closed_on,
                                                established_by_id, establishing_outcome_id,
                                                reports_to_id)
        SELECT g, 'Working group ' || g, 'Take forward the outcomes of its meeting.',
               CASE WHEN g %% 20 = 0 THEN 2 ELSE 1 END, NULL,
               ({GROUP_FORUM.format(g="g")} - 1) * %(mpf)s + {GROUP_SEQ.format(g="g")},
               (SELECT min(o.id) FROM outcomes_outcome AS o
                 WHERE o.document_id = ({GROUP_FORUM.format(g="g")} - 1) * %(mpf)s
                                       + {GROUP_SEQ.format(g="g")}),
               ({GROUP_FORUM.format(g="g")} - 1) * %(mpf)s + {GROUP_SEQ.format(g="g")} + 1
        FROM generate_series(1, %(groups)s) AS g
        """,
    ),
    # Everyone sits on three groups (fewer when two formulas meet); person g leads group g.
    (
        "workinggroups_workinggroupmembership",
        """
        INSERT INTO workinggroups_workinggroupmembership (role, joined_on, left_on, person_id,
                                                          represents_id, working_group_id)
        SELECT CASE WHEN seat = 1 AND u <= %(groups)s THEN 'lead' ELSE 'member' END,
               %(today)s::date - 400, NULL, u, (u - 1) %% %(members)s + 1,
               CASE seat WHEN 1 THEN (u - 1) %% %(groups)s + 1
                         WHEN 2 THEN (u * 7 + 3) %% %(groups)s + 1
                         ELSE (u * 13 + 5) %% %(groups)s + 1 END
        FROM generate_series(1, %(people)s) AS u, generate_series(1, 3) AS seat
        ON CONFLICT (working_group_id, person_id) DO NOTHING
        """,
    ),
    # Task t belongs to group (t - 1) %% groups + 1. Groups reporting to the upcoming
    # meeting have open work due from 30 days ago to the meeting; the others' work is
    # mostly ratified, a fifth carried over (open, overdue).
    (
        "workinggroups_task",
        """
        WITH placed AS (
            SELECT t, g.id AS g, g.tlp AS group_tlp, g.reports_to_id AS meeting,
                   m.start_date, m.sequence = %(upcoming)s AS upcoming, (t * 13) %% 20 AS dice
            FROM generate_series(1, %(tasks)s) AS t
            JOIN workinggroups_workinggroup AS g ON g.id = (t - 1) %% %(groups)s + 1
            JOIN forums_meeting AS m ON m.id = g.reports_to_id
        ), statused AS (
            SELECT *, CASE
                WHEN upcoming THEN CASE WHEN dice < 6 THEN 'not_started'
                    WHEN dice < 14 THEN 'in_progress' WHEN dice < 16 THEN 'blocked'
                    WHEN dice < 18 THEN 'ready' WHEN dice < 19 THEN 'ratified' ELSE 'withdrawn' END
                ELSE CASE WHEN dice < 14 THEN 'ratified' WHEN dice < 16 THEN 'withdrawn'
                    ELSE 'in_progress' END
              END AS status
            FROM placed
        )
        INSERT INTO workinggroups_task (id, title, description, due_on, status, progress, tlp,
                                        created_at, updated_at, lead_id, reports_to_id,
                                        working_group_id, version)
        SELECT t, 'Task ' || t, 'Draft, consult and report on item ' || t || '.',
               CASE WHEN t %% 50 = 0 THEN NULL
                    WHEN upcoming THEN LEAST(start_date, %(today)s::date - 30 + (t * 37) %% 50)
                    ELSE start_date - 1 - t %% 60 END,
               status,
               CASE status WHEN 'not_started' THEN 0 WHEN 'ratified' THEN 100
                           WHEN 'ready' THEN 100 ELSE (t * 7) %% 90 END,
               GREATEST(group_tlp, CASE WHEN (t * 11) %% 20 < 2 THEN 0
                                        WHEN (t * 11) %% 20 < 18 THEN 1 ELSE 2 END),
               now() - interval '200 days', now() - (t %% 30) * interval '1 day',
               CASE WHEN t %% 5 = 0 AND g + %(groups)s <= %(people)s THEN g + %(groups)s ELSE g END,
               meeting, g, 1
        FROM statused
        """,
    ),
    # One outcome of the group's founding document per task, a second for one task in three.
    (
        "workinggroups_task_outcomes",
        """
        INSERT INTO workinggroups_task_outcomes (task_id, outcome_id)
        SELECT t.id, o.id
        FROM workinggroups_task AS t
        JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id
        CROSS JOIN LATERAL (VALUES (1 + t.id %% %(per_document)s),
                                   (CASE WHEN t.id %% 3 = 0
                                         THEN 1 + (t.id * 7 + 1) %% %(per_document)s END))
                   AS v (position)
        JOIN outcomes_outcome AS o
          ON o.document_id = g.established_by_id AND o.position = v.position
        ON CONFLICT (task_id, outcome_id) DO NOTHING
        """,
    ),
    # One to three updates per task that has moved, the last one to its current status.
    (
        "workinggroups_taskupdate",
        """
        INSERT INTO workinggroups_taskupdate (created_at, status_from, status_to, progress,
                                              note, tlp, author_id, task_id)
        SELECT t.updated_at - (n - k) * interval '7 days',
               CASE WHEN k = 1 THEN 'not_started' ELSE 'in_progress' END,
               CASE WHEN k = n THEN t.status ELSE 'in_progress' END,
               t.progress * k / n, 'Progress note ' || k || ' on task ' || t.id, t.tlp,
               t.lead_id, t.id
        FROM workinggroups_task AS t
        CROSS JOIN LATERAL (SELECT 1 + t.id %% 3 AS n) AS c
        CROSS JOIN LATERAL generate_series(1, c.n) AS k
        WHERE t.status <> 'not_started'
        """,
    ),
]


def _execute(cursor, sql: str, params: dict) -> None:
    cursor.execute(sql, {k: v for k, v in params.items() if f"%({k})s" in sql})


def project_tables() -> list[str]:
    return [
        t
        for t in connection.introspection.table_names()
        if t.split("_")[0] in ("forums", "outcomes", "workinggroups", "reports", "axes")
        or t in ("auth_user", "auth_user_groups")
    ]


def reset() -> None:
    """Empty every table of the project (TRUNCATE … CASCADE), keeping the schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE "
            + ", ".join(f'"{t}"' for t in project_tables())
            + " RESTART IDENTITY CASCADE"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")


def current() -> dict | None:
    """What the marker says this database holds: {size, today, seconds, counts} or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT description FROM {MARKER}")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def ensure(size: str, today: datetime.date, *, log=print) -> dict:
    """The data set at `size`: reused if the marker says it is there, else generated."""
    held = current()
    if (
        held is not None
        and held["size"] == size
        and held["counts"] == SIZES[size]
        and os.environ.get("BENCH_REGENERATE") != "1"
    ):
        log(
            f"data set {size!r} reused (generated {held['today']} in {held['seconds']:.0f} s; "
            f"delete with BENCH_REGENERATE=1)"
        )
        return held
    return generate(size, today, log=log)


def generate(size: str, today: datetime.date, *, log=print) -> dict:
    params = parameters(size, today)
    reset()
    started = time.perf_counter()
    timings = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are checked at commit (Django makes them DEFERRABLE INITIALLY
        # DEFERRED): millions of queued checks. A superuser skips them, as pg_restore does;
        # the ids are computed to be consistent, and tests/test_bench.py checks them.
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for table, sql in STATEMENTS:
            step = time.perf_counter()
            _execute(cursor, sql, params)
            timings[table] = time.perf_counter() - step
        # Explicit ids were given: move each identity past them.
        for table, _sql in STATEMENTS:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    with connection.cursor() as cursor:
        step = time.perf_counter()
        cursor.execute("ANALYZE")
        timings["ANALYZE"] = time.perf_counter() - step
        seconds = time.perf_counter() - started
        counts = {}
        for table in ("workinggroups_taskupdate", "workinggroups_workinggroupmembership"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        description = {
            "size": size,
            "today": today.isoformat(),
            "seconds": seconds,
            "counts": SIZES[size],
            "derived": counts,
            "steps": {k: round(v, 1) for k, v in timings.items()},
        }
        cursor.execute(f"CREATE TABLE {MARKER} (description text NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s)", [json.dumps(description)])
    # Rows written in SQL send no signals: standings kept in a shared cache would outlive them.
    standing_changed()
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:4]
    log(
        f"data set {size!r} generated in {seconds:.1f} s ("
        + ", ".join(f"{t} {s:.1f} s" for t, s in slowest)
        + ")"
    )
    return description


def report_meeting_id() -> int:
    """The chair's report's meeting: the first forum's last meeting but one (see above)."""
    return MEETINGS_PER_FORUM - 1
