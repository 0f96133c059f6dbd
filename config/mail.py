"""A mail folder that holds each message once: the demo's outbox and the tests' witness.

Files are named by Message-ID and written atomically (temporary file, then rename), so a
message sent again after a crash replaces itself instead of appearing twice, the same
way a mail server that de-duplicates by Message-ID would treat it.
"""

import os
import re
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            mime = message.message()
            message_id = mime["Message-ID"] or ""
            name = re.sub(r"[^A-Za-z0-9@._-]", "", message_id) or secrets.token_hex(8)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(mime.as_bytes(linesep="\r\n"))
            os.replace(temporary, self.folder / f"{name}.eml")
        return len(email_messages)
