"""`manage.py sweep_reminders [--full]`: the beat job's sweep, run by an operator.

Plans (everything with --full, else what changed since the last sweep) and prints how
many reminders are due; the delivery jobs are left to the next beat sweep.
"""

from django.core.management.base import BaseCommand

from workinggroups import reminders


class Command(BaseCommand):
    help = "Plan reminders (--full: from every open task) and count those due now."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="plan every open task, not only what changed"
        )

    def handle(self, *args, full: bool = False, **options):
        due = reminders.sweep(full=full)
        self.stdout.write(f"{len(due)} reminders due now")
