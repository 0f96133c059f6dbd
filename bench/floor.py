"""The floor: each benchmarked page as one hand-written SQL query, serialized with orjson.

A minimal WSGI app served by the same gunicorn as the API (bench/wsgi.py), so both are
measured through the same HTTP stack. It answers the same page as the API would: the
same rows in the same order, the same fields (nested outcomes, lead, meeting, latest
visible update, links), the same page size and cursor, and the same visibility rule
(forums/access.py written out in SQL, token check included), in one round trip with no
framework. What it leaves out is everything Django and DRF do around that: middleware,
sessions, permission and filter classes, the ORM, serializer fields. The ratio
API/floor is therefore the price of the framework on that page.

Not for production: it exists to give the API's figures a yardstick.
"""

import base64
import datetime
import json
import os
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

import orjson
import psycopg

TLP_NAMES = {0: "clear", 1: "green", 2: "amber", 3: "red"}
TLP_VALUES = {name: value for value, name in TLP_NAMES.items()}
TRANSITIONS = {
    "not_started": ["in_progress", "withdrawn"],
    "in_progress": ["blocked", "ready", "withdrawn"],
    "blocked": ["in_progress", "withdrawn"],
    "ready": ["in_progress", "ratified", "withdrawn"],
    "ratified": [],
    "withdrawn": [],
}
OPEN = ("not_started", "in_progress", "blocked", "ready")
NO_DUE_DATE = datetime.date(9999, 12, 31)
# workinggroups.implementation.State, in English (the benchmark's reader reads English).
STATE_LABELS = {
    "no_work": "No work assigned",
    "not_started": "Not started",
    "under_way": "Under way",
    "ready": "Ready for ratification",
    "done": "Done",
    "stalled": "Stalled",
}

# The reader's standing (forums.access.audience_of) as one row of arrays. The token is
# checked as forums.tokens does (the SHA-512 digest of the key, not ended, not expired),
# less the password seal: an HMAC with SECRET_KEY, microseconds the floor is spared.
AUDIENCE = """
me AS (
    SELECT u.id AS user_id, u.is_superuser, p.member_id
    FROM forums_apitoken AS k
    JOIN auth_user AS u ON u.id = k.user_id AND u.is_active
    LEFT JOIN forums_profile AS p ON p.user_id = u.id
    WHERE k.digest = encode(sha512(convert_to(%(token)s, 'UTF8')), 'hex')
      AND k.ended_at IS NULL AND k.expiry > now()
), seats AS (
    SELECT s.working_group_id AS group_id, em.forum_id
    FROM workinggroups_workinggroupmembership AS s
    JOIN workinggroups_workinggroup AS g ON g.id = s.working_group_id
    JOIN forums_meeting AS em ON em.id = g.established_by_id
    WHERE s.person_id = (SELECT user_id FROM me) AND s.left_on IS NULL
), chaired AS (
    SELECT cm.forum_id FROM forums_chair AS ch JOIN forums_meeting AS cm ON cm.id = ch.meeting_id
    WHERE ch.person_id = (SELECT user_id FROM me)
), aud AS MATERIALIZED (
    SELECT me.user_id,
           me.is_superuser OR EXISTS (
               SELECT 1 FROM auth_user_groups AS ug JOIN auth_group AS gr ON gr.id = ug.group_id
               WHERE ug.user_id = me.user_id AND gr.name = 'Secretariat') AS secretariat,
           ARRAY(SELECT group_id FROM seats) AS groups,
           ARRAY(SELECT forum_id FROM chaired) AS chaired,
           ARRAY(SELECT forum_id FROM chaired UNION SELECT forum_id FROM seats) AS amber,
           ARRAY(SELECT fm.forum_id FROM forums_forummembership AS fm
                 WHERE (fm.member_id = me.member_id
                        OR fm.member_id IN (SELECT parent_id FROM forums_member
                                            WHERE id = me.member_id))
                   AND (fm.left_on IS NULL OR fm.left_on >= (now() AT TIME ZONE 'UTC')::date)
                 UNION SELECT forum_id FROM chaired UNION SELECT forum_id FROM seats) AS green
    FROM me
)
"""

# forums.access.tlp_rule for a task and its group (workinggroups.models.task_rule).
TASK_VISIBLE = """
(aud.secretariat OR (
    (t.tlp = 0 OR (t.tlp = 1 AND em.forum_id = ANY (aud.green))
     OR (t.tlp = 2 AND (g.id = ANY (aud.groups) OR em.forum_id = ANY (aud.chaired)))
     OR (t.tlp = 3 AND t.id IN (SELECT task_id FROM workinggroups_task_recipients
                                WHERE user_id = aud.user_id)))
    AND (g.tlp = 0 OR (g.tlp = 1 AND em.forum_id = ANY (aud.green))
         OR (g.tlp = 2 AND (g.id = ANY (aud.groups) OR em.forum_id = ANY (aud.chaired)))
         OR (g.tlp = 3 AND g.id = ANY (aud.groups)))))
"""

# outcomes.models.OutcomeQuerySet.visible_to, for an outcome `o` of document `d` at `dm`.
OUTCOME_VISIBLE = """
(aud.secretariat OR (
    (o.tlp = 0 OR (o.tlp = 1 AND dm.forum_id = ANY (aud.green))
     OR (o.tlp = 2 AND dm.forum_id = ANY (aud.amber))
     OR (o.tlp = 3 AND o.id IN (SELECT outcome_id FROM outcomes_outcome_recipients
                                WHERE user_id = aud.user_id)))
    AND (d.tlp = 0 OR (d.tlp = 1 AND dm.forum_id = ANY (aud.green))
         OR (d.tlp = 2 AND dm.forum_id = ANY (aud.amber)))))
"""

# workinggroups.models.update_rule and task_rule, for an update `u` of a task of `g` at `em`.
UPDATE_VISIBLE = """
(aud.secretariat
 OR u.tlp = 0 OR (u.tlp = 1 AND em.forum_id = ANY (aud.green))
 OR (u.tlp = 2 AND (g.id = ANY (aud.groups) OR em.forum_id = ANY (aud.chaired)))
 OR (u.tlp = 3 AND u.id IN (SELECT taskupdate_id FROM workinggroups_taskupdate_recipients
                            WHERE user_id = aud.user_id)))
"""

# TaskQuerySet.with_changes_seen_by: the task's last change and version as its reader may
# know them (updates they may not read move neither): what the API's list and detail show
# as `updated_at`, `version` and the ETag.
SEEN_UPDATED = f"""
greatest(t.updated_at, coalesce((SELECT max(u.created_at) FROM workinggroups_taskupdate AS u
                                 WHERE u.task_id = t.id AND {UPDATE_VISIBLE}), t.updated_at))
"""
SEEN_VERSION = f"""
t.version - (SELECT count(*) FROM workinggroups_taskupdate AS u WHERE u.task_id = t.id)
          + (SELECT count(*) FROM workinggroups_taskupdate AS u
             WHERE u.task_id = t.id AND {UPDATE_VISIBLE})
"""

# forums.models.meeting_held for a meeting `{m}`, today in UTC: a dated meeting once its
# last day is past; an undated one once its expected month is past or a later one exists.
UTC_TODAY = "(now() AT TIME ZONE 'UTC')::date"
MEETING_HELD = f"""
(CASE WHEN {{m}}.start_date IS NOT NULL
      THEN coalesce({{m}}.end_date, {{m}}.start_date) < {UTC_TODAY}
      ELSE {{m}}.expected_month < date_trunc('month', {UTC_TODAY})::date
           OR EXISTS (SELECT 1 FROM forums_meeting AS later
                      WHERE later.forum_id = {{m}}.forum_id AND later.sequence > {{m}}.sequence)
 END)
"""

OPEN_SQL = "(" + ", ".join(f"'{status}'" for status in OPEN) + ")"

TASK_FILTERS = {
    "id": "t.id = %(task)s",
    "mine": "t.working_group_id = ANY (aud.groups)",
    "working_group": "t.working_group_id = %(working_group)s",
    # TaskQuerySet.overdue: open, and the due day has ended at the meeting's venue, or no
    # due day and the meeting it reports to has been held.
    "overdue": (
        f"t.status IN {OPEN_SQL} "
        "AND (t.due_on < (now() AT TIME ZONE coalesce(rm.time_zone, 'UTC'))::date "
        f"OR (t.due_on IS NULL AND rm.id IS NOT NULL AND {MEETING_HELD.format(m='rm')}))"
    ),
}

# The page's rows first (visibility, filters, order, limit on the narrow columns), then
# what each of its 50 rows shows: the nested parts are built for the page only.
TASKS = """
WITH {audience}, page AS (
    SELECT t.id, coalesce(t.due_on, DATE '9999-12-31') AS due_sort
    FROM workinggroups_task AS t
    CROSS JOIN aud
    JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id
    JOIN forums_meeting AS em ON em.id = g.established_by_id
    LEFT JOIN forums_meeting AS rm ON rm.id = t.reports_to_id
    WHERE {task_visible} AND {filters}
    ORDER BY coalesce(t.due_on, DATE '9999-12-31'), t.id
    LIMIT %(limit)s
)
SELECT t.id, t.title, t.description, f.acronym, g.id, g.name,
       (SELECT coalesce(json_agg(json_build_object(
                   'id', o.id, 'citation_code', o.citation_code,
                   'label', coalesce(nullif(d.short_title, ''), d.title) || ' ' || o.number)
                   ORDER BY o.document_id, o.position), '[]')
        FROM workinggroups_task_outcomes AS tot
        JOIN outcomes_outcome AS o ON o.id = tot.outcome_id
        JOIN outcomes_outcomedocument AS d ON d.id = o.document_id
        JOIN forums_meeting AS dm ON dm.id = d.meeting_id
        WHERE tot.task_id = t.id AND {outcome_visible}),
       lead.username, lead.first_name, lead.last_name,
       rm.id, rm.title, rm.sequence, rf.acronym, rm.start_date, rm.time_zone,
       t.due_on, t.status, t.progress, t.tlp,
       lu.id, lu.created_at, lu.username, lu.first_name, lu.last_name, lu.status_from,
       lu.status_to, lu.progress, lu.note, lu.tlp,
       t.created_at, {changes}, page.due_sort
FROM page
JOIN workinggroups_task AS t ON t.id = page.id
CROSS JOIN aud
JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id
JOIN forums_meeting AS em ON em.id = g.established_by_id
JOIN forums_forum AS f ON f.id = em.forum_id
LEFT JOIN auth_user AS lead ON lead.id = t.lead_id
LEFT JOIN forums_meeting AS rm ON rm.id = t.reports_to_id
LEFT JOIN forums_forum AS rf ON rf.id = rm.forum_id
LEFT JOIN LATERAL (
    SELECT u.id, u.created_at, a.username, a.first_name, a.last_name, u.status_from,
           u.status_to, u.progress, u.note, u.tlp
    FROM workinggroups_taskupdate AS u
    LEFT JOIN auth_user AS a ON a.id = u.author_id
    WHERE u.task_id = t.id AND {update_visible}
    ORDER BY u.created_at DESC, u.id DESC
    LIMIT 1
) AS lu ON true
ORDER BY page.due_sort, page.id
"""

# workinggroups.implementation.with_implementation for the outcome `o`: the visible, not
# withdrawn tasks naming it or a sub-item (three levels down, walked down from `o` along
# the parent index, then the links' outcome index: matching every link's ancestors with
# `o` read every task, 0.16 s an outcome at the small size against 7 ms),
# each with its last visible update and whether it is stalled (TaskQuerySet.stalled),
# then counted.
IMPLEMENTATION = """
LEFT JOIN LATERAL (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE w.status IN {open}) AS open,
           count(*) FILTER (WHERE w.status = 'not_started') AS not_started,
           count(*) FILTER (WHERE w.status = 'ready') AS ready,
           count(*) FILTER (WHERE w.status = 'ratified') AS ratified,
           count(*) FILTER (WHERE w.stalled) AS stalled,
           round(avg(CASE WHEN w.status IN ('ready', 'ratified') THEN 100
                          ELSE w.progress END))::int AS progress,
           max(w.moved) AS moved
    FROM (
        SELECT t.status, t.progress, lu.moved,
               t.status IN {open} AND (
                   coalesce(lu.moved, t.created_at)
                       < now() - make_interval(days => wf.stalled_after_days)
                   OR (SELECT count(*) FROM forums_meeting AS m
                       WHERE m.forum_id = em.forum_id AND m.sequence > em.sequence
                         AND {held}) >= 2) AS stalled
        FROM workinggroups_task AS t
        JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id
        JOIN forums_meeting AS em ON em.id = g.established_by_id
        JOIN forums_forum AS wf ON wf.id = em.forum_id
        LEFT JOIN LATERAL (
            SELECT max(u.created_at) AS moved FROM workinggroups_taskupdate AS u
            WHERE u.task_id = t.id AND {update_visible}
        ) AS lu ON true
        WHERE t.status <> 'withdrawn' AND {task_visible}
          AND t.id IN (
              SELECT tot.task_id FROM workinggroups_task_outcomes AS tot
              WHERE tot.outcome_id IN (
                  SELECT o.id
                  UNION ALL
                  SELECT c1.id FROM outcomes_outcome AS c1 WHERE c1.parent_id = o.id
                  UNION ALL
                  SELECT c2.id FROM outcomes_outcome AS c1
                  JOIN outcomes_outcome AS c2 ON c2.parent_id = c1.id WHERE c1.parent_id = o.id
                  UNION ALL
                  SELECT c3.id FROM outcomes_outcome AS c1
                  JOIN outcomes_outcome AS c2 ON c2.parent_id = c1.id
                  JOIN outcomes_outcome AS c3 ON c3.parent_id = c2.id WHERE c1.parent_id = o.id))
    ) AS w
) AS imp ON true
""".format(
    open=OPEN_SQL,
    held=MEETING_HELD.format(m="m"),
    update_visible=UPDATE_VISIBLE,
    task_visible=TASK_VISIBLE,
)

OUTCOMES = """
WITH {audience}, page AS (
    SELECT o.id, o.document_id, o.position
    FROM outcomes_outcome AS o
    CROSS JOIN aud
    JOIN outcomes_outcomedocument AS d ON d.id = o.document_id
    JOIN forums_meeting AS dm ON dm.id = d.meeting_id
    WHERE {outcome_visible} AND {where} {after}
    ORDER BY o.document_id, o.position
    LIMIT %(limit)s
)
SELECT o.id, o.citation_code, coalesce(nullif(d.short_title, ''), d.title) || ' ' || o.number,
       f.acronym, d.meeting_id, d.id, d.code, d.title, o.number, parent.citation_code,
       o.position, o.text, o.kind, o.status, o.tlp,
       (SELECT coalesce(json_agg(json_build_object(
                   'id', m.id, 'name', m.name, 'short_name', m.short_name) ORDER BY m.name), '[]')
        FROM outcomes_outcome_responsible AS r JOIN forums_member AS m ON m.id = r.member_id
        WHERE r.outcome_id = o.id),
       (SELECT coalesce(json_agg(json_build_object(
                   'kind', l.kind,
                   'source', json_build_object('id', o.id, 'citation_code', o.citation_code,
                       'label', coalesce(nullif(d.short_title, ''), d.title) || ' ' || o.number),
                   'target_outcome', CASE WHEN tgt.id IS NOT NULL THEN json_build_object(
                       'id', tgt.id, 'citation_code', tgt.citation_code,
                       'label', coalesce(nullif(td.short_title, ''), td.title) || ' ' || tgt.number)
                       END,
                   'target_document', CASE WHEN l.target_document_id IS NOT NULL THEN
                       json_build_object('id', ld.id, 'code', ld.code, 'title', ld.title) END)
                   ORDER BY l.kind, l.id), '[]')
        FROM outcomes_outcomelink AS l
        LEFT JOIN outcomes_outcome AS tgt ON tgt.id = l.target_outcome_id
        LEFT JOIN outcomes_outcomedocument AS td ON td.id = tgt.document_id
        LEFT JOIN outcomes_outcomedocument AS ld ON ld.id = l.target_document_id
        WHERE l.source_id = o.id
          AND (l.target_outcome_id IN (
                   SELECT o.id FROM outcomes_outcome AS o
                   JOIN outcomes_outcomedocument AS d ON d.id = o.document_id
                   JOIN forums_meeting AS dm ON dm.id = d.meeting_id
                   WHERE o.id = l.target_outcome_id AND {outcome_visible})
               OR l.target_document_id IN (
                   SELECT d.id FROM outcomes_outcomedocument AS d
                   JOIN forums_meeting AS dm ON dm.id = d.meeting_id
                   WHERE d.id = l.target_document_id AND (aud.secretariat OR d.tlp = 0
                       OR (d.tlp = 1 AND dm.forum_id = ANY (aud.green))
                       OR (d.tlp = 2 AND dm.forum_id = ANY (aud.amber)))))),
       (SELECT coalesce(json_agg(json_build_object(
                   'kind', l.kind,
                   'source', json_build_object(
                       'id', src.id, 'citation_code', src.citation_code,
                       'label',
                       coalesce(nullif(sd.short_title, ''), sd.title) || ' ' || src.number),
                   'target_outcome', json_build_object('id', o.id, 'citation_code', o.citation_code,
                       'label', coalesce(nullif(d.short_title, ''), d.title) || ' ' || o.number),
                   'target_document', NULL) ORDER BY l.source_id, l.kind, l.id), '[]')
        FROM outcomes_outcomelink AS l
        JOIN outcomes_outcome AS src ON src.id = l.source_id
        JOIN outcomes_outcomedocument AS sd ON sd.id = src.document_id
        WHERE l.target_outcome_id = o.id AND l.source_id IN (
            SELECT o.id FROM outcomes_outcome AS o
            JOIN outcomes_outcomedocument AS d ON d.id = o.document_id
            JOIN forums_meeting AS dm ON dm.id = d.meeting_id
            WHERE o.id = l.source_id AND {outcome_visible})),
       o.version,
       CASE WHEN imp.total = 0 THEN 'no_work' WHEN imp.stalled > 0 THEN 'stalled'
            WHEN imp.ratified = imp.total THEN 'done'
            WHEN imp.ready = imp.total - imp.ratified THEN 'ready'
            WHEN imp.not_started = imp.total THEN 'not_started' ELSE 'under_way' END,
       imp.progress, imp.open, imp.total, imp.stalled, imp.moved
FROM page
JOIN outcomes_outcome AS o ON o.id = page.id
CROSS JOIN aud
JOIN outcomes_outcomedocument AS d ON d.id = o.document_id
JOIN forums_meeting AS dm ON dm.id = d.meeting_id
JOIN forums_forum AS f ON f.id = dm.forum_id
LEFT JOIN outcomes_outcome AS parent ON parent.id = o.parent_id
{implementation}
ORDER BY page.document_id, page.position
"""


def ordinal(number: int) -> str:
    """forums.models.ordinal, in English (the benchmark's reader reads English)."""
    last = 0 if 10 <= number % 100 <= 20 else number % 10
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(last, 'th') }"


def person(username, first, last):
    if username is None:
        return None
    return {"username": username, "name": f"{first} {last}".strip()}


def task_row(r) -> dict:
    return {
        "id": r[0],
        "title": r[1],
        "description": r[2],
        "forum": r[3],
        "working_group": {"id": r[4], "name": r[5]},
        "outcomes": r[6],
        "lead": person(r[7], r[8], r[9]),
        "reports_to": None
        if r[10] is None
        else {
            "id": r[10],
            "name": r[11] or f"{ordinal(r[12])} {r[13]}",
            "sequence": r[12],
            "start_date": r[14],
            "time_zone": r[15],
        },
        "due_on": r[16],
        "status": r[17],
        "allowed_statuses": TRANSITIONS[r[17]],
        "progress": r[18],
        "tlp": TLP_NAMES[r[19]],
        "latest_update": None
        if r[20] is None
        else {
            "id": r[20],
            "created_at": r[21],
            "author": person(r[22], r[23], r[24]),
            "status_from": r[25],
            "status_to": r[26],
            "progress": r[27],
            "note": r[28],
            "tlp": TLP_NAMES[r[29]],
        },
        "created_at": r[30],
        "updated_at": r[31],
        "version": r[32],
        "etag": f'"{r[32]}"',
    }


def outcome_row(r) -> dict:
    return {
        "id": r[0],
        "citation_code": r[1],
        "label": r[2],
        "forum": r[3],
        "meeting": r[4],
        "document": {"id": r[5], "code": r[6], "title": r[7]},
        "number": r[8],
        "parent": r[9],
        "position": r[10],
        "text": r[11],
        "kind": r[12],
        "status": r[13],
        "tlp": TLP_NAMES[r[14]],
        "responsible": r[15],
        "links_out": r[16],
        "links_in": r[17],
        "tasks": f"/api/v1/tasks/?outcome={r[0]}",
        "version": r[18],
        "etag": f'"{r[18]}"',
        "implementation": {
            "state": r[19],
            "state_label": STATE_LABELS[r[19]],
            "progress": r[20],
            "work_open": r[21],
            "work_total": r[22],
            "work_stalled": r[23],
            "last_moved_at": r[24],
            "counted_within_your_visibility": True,
        },
    }


def cursor_for(values: list) -> str:
    """The API's cursor format (forums.api.base.CursorPagination): `p` = JSON of the keys."""
    position = json.dumps(
        [v.isoformat() if isinstance(v, datetime.date) else v for v in values],
        separators=(",", ":"),
    )
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


def position_of(cursor: str | None) -> list | None:
    if not cursor:
        return None
    return json.loads(parse_qs(base64.b64decode(cursor).decode())["p"][0])


def task_page_sql(filters: list[str]) -> str:
    return TASKS.format(
        changes=f"{SEEN_UPDATED}, {SEEN_VERSION}",
        audience=AUDIENCE,
        outcome_visible=OUTCOME_VISIBLE,
        task_visible=TASK_VISIBLE,
        update_visible=UPDATE_VISIBLE,
        filters=" AND ".join([*(TASK_FILTERS[f] for f in filters), "%(after)s"]),
    )


def task_page(connection, *, token: str, query: dict, page_size: int = 50) -> dict:
    """The API's `/api/v1/tasks/?…` page (default ordering `due`), as the floor makes it."""
    filters = [name for name in ("mine", "working_group", "overdue") if name in query]
    params = {"token": token, "limit": page_size + 1}
    after = "true"
    position = position_of(query.get("cursor"))
    if position is not None:
        after = (
            "(coalesce(t.due_on, DATE '9999-12-31'), t.id) > (%(after_due)s::date, %(after_id)s)"
        )
        params["after_due"], params["after_id"] = position
    if "working_group" in filters:
        params["working_group"] = int(query["working_group"])
    sql = task_page_sql(filters).replace("%(after)s", after)
    rows = connection.execute(sql, params).fetchall()
    return page(rows[:page_size], len(rows) > page_size, position, task_row, (-1, 0))


def outcome_page(connection, *, token: str, query: dict, page_size: int = 50) -> dict:
    """The API's `/api/v1/outcomes/?document=…` page (default ordering `document`)."""
    params = {"token": token, "limit": page_size + 1, "document": int(query["document"])}
    after = ""
    position = position_of(query.get("cursor"))
    if position is not None:
        after = "AND (o.document_id, o.position) > (%(after_document)s, %(after_position)s)"
        params["after_document"], params["after_position"] = position
    sql = OUTCOMES.format(
        audience=AUDIENCE,
        outcome_visible=OUTCOME_VISIBLE,
        where="o.document_id = %(document)s",
        after=after,
        implementation=IMPLEMENTATION,
    )
    rows = connection.execute(sql, params).fetchall()
    return page(rows[:page_size], len(rows) > page_size, position, outcome_row, (5, 10))


def page(rows, more, position, to_dict, keys) -> dict:
    results = [to_dict(r) for r in rows]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = cursor_for([last[keys[0]], last[keys[1]]])
    return {
        "next": next_cursor and f"?cursor={next_cursor}",
        "previous": None if position is None else "(not built by the floor)",
        "results": results,
    }


# --- details and the update: one task or outcome, and one progress update ----------------

TASK_DETAIL = task_page_sql(["id"]).replace("%(after)s", "true")
OUTCOME_DETAIL = OUTCOMES.format(
    audience=AUDIENCE,
    outcome_visible=OUTCOME_VISIBLE,
    where="o.id = %(outcome)s",
    after="",
    implementation=IMPLEMENTATION,
)


def task_detail(connection, *, token: str, task_id: int) -> dict | None:
    """The API's `/api/v1/tasks/<id>/`, or None where the reader may not see it (a 404)."""
    row = connection.execute(TASK_DETAIL, {"token": token, "task": task_id, "limit": 1}).fetchone()
    return row and task_row(row)


def outcome_detail(connection, *, token: str, outcome_id: int) -> dict | None:
    """The API's `/api/v1/outcomes/<id>/`, its implementation derived as the list's."""
    params = {"token": token, "outcome": outcome_id, "limit": 1}
    row = connection.execute(OUTCOME_DETAIL, params).fetchone()
    return row and outcome_row(row)


# workinggroups.services.task_update_status, first step: the task row locked, with what the
# checks need: the reader's standing (a member of its group, or the secretariat: policy.
# may_post_update) and the version they may know (forums.audit.lock_for_edit's If-Match).
LOCK_TASK = f"""
WITH {AUDIENCE}
SELECT t.status, t.progress, t.tlp, aud.user_id, a.username, a.first_name, a.last_name,
       aud.secretariat OR t.working_group_id = ANY (aud.groups),
       {SEEN_VERSION}
FROM workinggroups_task AS t
CROSS JOIN aud
JOIN auth_user AS a ON a.id = aud.user_id
JOIN workinggroups_workinggroup AS g ON g.id = t.working_group_id
JOIN forums_meeting AS em ON em.id = g.established_by_id
WHERE t.id = %(task)s AND {TASK_VISIBLE}
FOR UPDATE OF t
"""

# Then every write of the service in one statement: the task's new status, progress and
# version (not `updated_at`: the update dates itself), its history row as simple-history
# writes it (the whole row, who, why: the note, or none; `~`, a change) with the task's
# outcomes as they stand (Task.history's m2m_fields), and the update itself; dated when
# written (the service's timezone.now()), not when the transaction began.
WRITE_UPDATE = """
WITH t AS (
    UPDATE workinggroups_task SET status = %(status)s, progress = %(progress)s,
                                  version = version + 1
    WHERE id = %(task)s
    RETURNING *
), h AS (
    INSERT INTO workinggroups_historicaltask (
        id, version, title, description, due_on, status, progress, tlp, created_at,
        updated_at, working_group_id, lead_id, reports_to_id, history_date,
        history_change_reason, history_type, history_user_id)
    SELECT id, version, title, description, due_on, status, progress, tlp, created_at,
           updated_at, working_group_id, lead_id, reports_to_id, statement_timestamp(),
           nullif(%(note)s, ''), '~', %(user)s
    FROM t
    RETURNING history_id
), ho AS (
    INSERT INTO workinggroups_historicaltask_outcomes (id, task_id, outcome_id, history_id)
    SELECT x.id, x.task_id, x.outcome_id, h.history_id
    FROM workinggroups_task_outcomes AS x CROSS JOIN h
    WHERE x.task_id = %(task)s
)
INSERT INTO workinggroups_taskupdate (
    task_id, author_id, created_at, status_from, status_to, progress, note, tlp)
VALUES (%(task)s, %(user)s, statement_timestamp(), %(status_from)s, %(status)s,
        %(progress)s, %(note)s, %(tlp)s)
RETURNING id, created_at
"""


class Refused(Exception):
    """An answer other than the one asked for: its HTTP status and body."""

    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status, self.body = status, {"detail": detail}


def checked_update(status: str, progress: int, post: dict) -> tuple[str, int, str]:
    """Task.checked_update, in English: the status, progress and note an update leaves."""
    note = str(post.get("note", "")).strip()
    wanted = post.get("status") or status
    new_progress = progress if post.get("progress") is None else int(post["progress"])
    if wanted != status and wanted not in TRANSITIONS[status]:
        raise Refused("400 Bad Request", f"{status} cannot move to {wanted}.")
    if wanted == status and not note and new_progress == progress:
        raise Refused("400 Bad Request", "Say what changed: a note, a new status or progress.")
    if wanted in ("blocked", "withdrawn") and wanted != status and not note:
        raise Refused("400 Bad Request", f"Say why the task is {wanted}.")
    if not 0 <= new_progress <= 100:
        raise Refused("400 Bad Request", "Progress is a percentage, 0 to 100.")
    if wanted in ("ready", "ratified"):
        if post.get("progress") not in (None, 100):
            raise Refused("400 Bad Request", "Work that is done is complete: leave 100.")
        new_progress = 100
    return wanted, new_progress, note


def post_update(connection, *, token: str, task_id: int, post: dict, if_match: str | None):
    """POST /api/v1/tasks/<id>/updates/ in one transaction: lock and check, write, read."""
    with connection.transaction():
        row = connection.execute(LOCK_TASK, {"token": token, "task": task_id}).fetchone()
        if row is None:
            raise Refused("404 Not Found", "No Task matches the given query.")
        status, progress, tlp, user_id, username, first, last, may_post, seen = row
        if not may_post:
            raise Refused("403 Forbidden", "Only members of the task's working group may post.")
        if if_match is not None and if_match.strip() not in ("*", f'"{seen}"'):
            raise Refused("412 Precondition Failed", f"The task is now at version {seen}.")
        new_status, new_progress, note = checked_update(status, progress, post)
        label = tlp if post.get("tlp") is None else TLP_VALUES[post["tlp"]]
        if label < tlp:
            raise Refused("400 Bad Request", "An update cannot be more open than its task.")
        params = {
            "task": task_id,
            "user": user_id,
            "status_from": status,
            "status": new_status,
            "progress": new_progress,
            "note": note,
            "tlp": label,
        }
        update_id, created_at = connection.execute(WRITE_UPDATE, params).fetchone()
        task = task_detail(connection, token=token, task_id=task_id)
    update = {
        "id": update_id,
        "created_at": created_at,
        "author": person(username, first, last),
        "status_from": status,
        "status_to": new_status,
        "progress": new_progress,
        "note": note,
        "tlp": TLP_NAMES[label],
    }
    return {"update": update, "task": task}


_connection = None


def connect():
    global _connection
    if _connection is None or _connection.closed:
        # In UTC, so that times come back as the API writes them (orjson's OPT_UTC_Z: `Z`).
        # Without JIT: the outcome queries' estimates (over a million, for the work under
        # each outcome) make PostgreSQL compile them, seconds on every request for a few
        # milliseconds of work (the API's answers, in tens of milliseconds, show no such cost).
        # Random reads priced as the application's connections price them.
        options = "-c TimeZone=UTC -c jit=off -c random_page_cost=1.1"
        _connection = psycopg.connect(
            os.environ["BENCH_FLOOR_DSN"], autocommit=True, options=options
        )
    return _connection


def route(environ, token: str) -> tuple[str, Any, list, int]:
    """The answer to one request: status, body, extra headers, SQL statements made."""
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    parts = environ["PATH_INFO"].strip("/").split("/")  # floor, tasks[, <id>[, updates]]
    connection = connect()
    if len(parts) == 2:
        make = task_page if parts[1] == "tasks" else outcome_page
        return "200 OK", make(connection, token=token, query=query), [], 1
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        post = orjson.loads(environ["wsgi.input"].read(length) or b"{}")
        if_match = environ.get("HTTP_IF_MATCH")
        body = post_update(
            connection, token=token, task_id=int(parts[2]), post=post, if_match=if_match
        )
        return "201 Created", body, [("ETag", body["task"]["etag"])], 3
    if parts[1] == "tasks":
        found = task_detail(connection, token=token, task_id=int(parts[2]))
    else:
        found = outcome_detail(connection, token=token, outcome_id=int(parts[2]))
    if found is None:
        raise Refused("404 Not Found", "Not found.")
    return "200 OK", found, [("ETag", found["etag"])], 1


def application(environ, start_response):
    """/floor/tasks/?…, /floor/outcomes/?…, /floor/tasks/<id>/, /floor/outcomes/<id>/ and
    POST /floor/tasks/<id>/updates/, with `Authorization: Token …`."""
    started = time.perf_counter()
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Token ").strip()
    try:
        status, answer, headers, queries = route(environ, token)
    except Refused as refusal:
        status, answer, headers, queries = refusal.status, refusal.body, [], 1
    body = orjson.dumps(answer, option=orjson.OPT_UTC_Z)
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("X-Queries", str(queries)),
            ("X-Time", f"{time.perf_counter() - started:.6f}"),
            *headers,
        ],
    )
    return [body]
