"""Move the tokens of DRF's `authtoken` app into forums.ApiToken, hashed, then drop its table.

Before this, tokens were stored as they are sent. Each one known is kept working (a
script holding it goes on), now as a digest, named so its owner can recognise and revoke
it, and expiring API_TOKEN_TTL_DAYS from the migration. Then the table with the keys in
clear goes, with Django's record of the app's migrations: nothing needs the app any more.
"""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

from forums.tokens import password_seal

OLD_TABLE = "authtoken_token"
NAME = "Token made before tokens had names"


def move_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # a database made after the change: nothing to move
    ApiToken = apps.get_model("forums", "ApiToken")
    User = apps.get_model("auth", "User")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {connection.ops.quote_name(OLD_TABLE)}")
        old = cursor.fetchall()
    passwords = dict(User.objects.filter(pk__in=[user_id for _, user_id in old]).values_list("pk", "password"))
    expiry = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=NAME,
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            password_seal=password_seal(passwords[user_id]),
            expiry=expiry,
        )
        for key, user_id in old
    )
    schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(OLD_TABLE)}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):

    dependencies = [
        ("forums", "0005_api_token"),
    ]

    # No way back: the keys were never kept in clear.
    operations = [migrations.RunPython(move_tokens, migrations.RunPython.noop)]
