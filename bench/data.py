"""Generate a benchmark data set fast: bulk inserts, bypassing the services on purpose.

Benchmark rows are not the secretariat's edits: they carry no history and skip the
per-row validation a service does, so that 100,000 tasks take seconds, not hours. The
shapes are the real ones (forums, meetings, groups, seats, tasks serving outcomes).
"""

import datetime
import itertools
import random

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from forums.models import Forum, ForumMembership, Meeting, Member, Profile
from forums.tlp import TLP
from outcomes.models import Outcome, OutcomeDocument
from workinggroups.models import Task, WorkingGroup, WorkingGroupMembership

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


def reset() -> None:
    """Empty every table of the project (TRUNCATE … CASCADE), keeping the schema."""
    with connection.cursor() as cursor:
        tables = [
            t
            for t in connection.introspection.table_names()
            if t.split("_")[0] in ("forums", "outcomes", "workinggroups")
            or t in ("auth_user", "auth_user_groups", "authtoken_token")
        ]
        cursor.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )


@transaction.atomic
def generate(
    *,
    forums: int,
    meetings_per_forum: int,
    outcomes: int,
    tasks: int,
    people: int,
    today: datetime.date,
    seed: int = 7,
) -> dict:
    """Forums with past meetings and one opening a week from `today`; groups of 10 people."""
    rng = random.Random(seed)
    members = Member.objects.bulk_create(
        Member(
            name=f"Bench state {i}", kind=Member.Kind.STATE, country="FJ", time_zone=ZONES[i % 9]
        )
        for i in range(50)
    )
    forum_rows = Forum.objects.bulk_create(
        Forum(name=f"Bench forum {i}", acronym=f"BF{i}") for i in range(forums)
    )
    ForumMembership.objects.bulk_create(
        ForumMembership(forum=f, member=m, role="member") for f in forum_rows for m in members
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            forum=f,
            sequence=s + 1,
            start_date=today + datetime.timedelta(days=7 - 365 * (meetings_per_forum - 1 - s)),
            end_date=today + datetime.timedelta(days=8 - 365 * (meetings_per_forum - 1 - s)),
            venue="Bench venue",
            time_zone=ZONES[(f.pk + s) % 9],
        )
        for f in forum_rows
        for s in range(meetings_per_forum)
    )
    by_forum = {f.pk: [m for m in meetings if m.forum_id == f.pk] for f in forum_rows}
    documents = OutcomeDocument.objects.bulk_create(
        OutcomeDocument(
            meeting=m,
            kind="outcome_statement",
            title=f"Outcome {m.pk}",
            code=f"BF{m.forum_id}/{m.sequence}",
        )
        for m in meetings
    )
    per_document = max(1, outcomes // len(documents))
    outcome_rows = Outcome.objects.bulk_create(
        (
            Outcome(
                document=d,
                number=str(n + 1),
                position=n + 1,
                text=f"Members agreed on bench point {n + 1} of {d.code}.",
                kind="agreement",
                tlp=TLP.CLEAR if n % 4 else TLP.GREEN,
                citation_code=f"{d.code}/{n + 1}",
            )
            for d in documents
            for n in range(per_document)
        ),
        batch_size=5000,
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        (
            User(username=f"bench{i}", email=f"bench{i}@example.org", password="!")
            for i in range(people)
        ),
        batch_size=5000,
    )
    Profile.objects.bulk_create(
        (Profile(user=u, member=members[i % len(members)]) for i, u in enumerate(users)),
        batch_size=5000,
    )
    group_count = max(1, people // 10)
    groups = WorkingGroup.objects.bulk_create(
        WorkingGroup(
            name=f"Bench group {g}",
            established_by=by_forum[forum_rows[g % forums].pk][-2]
            if meetings_per_forum > 1
            else by_forum[forum_rows[g % forums].pk][0],
            reports_to=by_forum[forum_rows[g % forums].pk][-1],
            mandate="Bench work.",
            tlp=TLP.GREEN,
        )
        for g in range(group_count)
    )
    WorkingGroupMembership.objects.bulk_create(
        (
            WorkingGroupMembership(
                working_group=groups[i // 10], person=u, role="lead" if i % 10 == 0 else "member"
            )
            for i, u in enumerate(users[: group_count * 10])
        ),
        batch_size=5000,
    )
    statuses = list(Task.Status.values)
    task_rows = Task.objects.bulk_create(
        (
            Task(
                working_group=groups[t % group_count],
                title=f"Bench task {t}",
                lead=users[(t % group_count) * 10],
                reports_to=groups[t % group_count].reports_to,
                due_on=today + datetime.timedelta(days=rng.randint(-30, 7)),
                status=statuses[t % 4],  # the four open statuses first: most work is open
                progress=rng.randint(0, 90),
                tlp=TLP.GREEN if t % 5 else TLP.AMBER,
            )
            for t in range(tasks)
        ),
        batch_size=5000,
    )
    through = Task.outcomes.through
    through.objects.bulk_create(
        (
            through(task_id=task.pk, outcome_id=outcome_rows[(i * 7) % len(outcome_rows)].pk)
            for i, task in enumerate(task_rows)
        ),
        batch_size=10000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "forums": forums,
        "meetings": len(meetings),
        "outcomes": len(outcome_rows),
        "tasks": len(task_rows),
        "people": len(users),
        "groups": group_count,
    }


def chunks(iterable, size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
