"""Who is reminded of what, when, in their own time zone; and sending each reminder once.

The sweep (a Celery beat job, every minute in UTC) does three things, none of which
depends on the broker for correctness:

1. plan: for every person whose calendar day it is, insert the ledger rows (Reminder) of
   what they are due today. The unique constraint on (person, reason, subject, day) makes
   this idempotent: two sweeps at once plan one row. A sweep plans from what changed
   since the last one (changes: the watermark, and what the tasks and the other inputs
   say changed); a new day in any zone in use, a new rule or migration, or an operator
   plans everything, which leaves the same rows. Queries are a fixed handful, whatever
   the number of tasks, plus one read (their zones) and one INSERT per round of people
   (PLAN_PEOPLE_PER_ROUND; on SQLite an INSERT per thousand rows). What is owed today is
   decided per zone before it is expanded to people, so only the rows owed are built.
2. recover: a row claimed by a worker that died (status "sending" for longer than
   REMINDER_CLAIM_TIMEOUT_SECONDS) goes back to "pending".
3. hand out: the ids of pending rows whose time has come, for delivery jobs.

A delivery claims its row with a conditional UPDATE (pending → sending) before it sends
(healthchecks' claim-before-send), then marks it sent. A message sent again after a crash
between "sent" and "marked" carries the same Message-ID.

Dates: a task's due date is a calendar day in the time zone of the meeting it reports to,
ending 23:59 there. "N days before" is counted on the recipient's own calendar: the
deadline instant is turned into the recipient's local date first.

The modules: zones (whose clock), rules (when, per forum), planning (who is owed what
today; the ledger rows), changes (what changed since the last sweep), sweep, delivery
(claim, send, mark), compose (what a message says, and the officer's preview). The names
other apps use are imported here.
"""

from workinggroups.reminders.compose import compose, language_of, preview
from workinggroups.reminders.delivery import deliver
from workinggroups.reminders.planning import overdue_unmoved, plan_reminders
from workinggroups.reminders.sweep import sweep

__all__ = [
    "compose",
    "deliver",
    "language_of",
    "overdue_unmoved",
    "plan_reminders",
    "preview",
    "sweep",
]
