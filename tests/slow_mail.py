"""A mail folder slow to return: a window between "handed to the mail backend" and
"marked sent", for the real-worker tests to stop or kill a worker in.

It writes each message as config.mail.OutboxBackend does, then pauses, so the delivery
code needs no test-only pause of its own. tests/workinggroups/test_reminders_worker.py
(`slow_mail()`) gives it to a worker through the environment: TALANOA_TEST_EMAIL_BACKEND
names it (config/settings/test.py), TALANOA_TEST_MAIL_PAUSE_SECONDS sets the pause.
"""

import os
import time

from config.mail import OutboxBackend


class SlowOutboxBackend(OutboxBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pause = float(os.environ.get("TALANOA_TEST_MAIL_PAUSE_SECONDS", "1"))

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            sent += super().send_messages([message])
            time.sleep(self.pause)  # in the folder, not yet marked sent
        return sent
