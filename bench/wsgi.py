"""What gunicorn serves during `make bench`: the API and, under /floor/, its floor.

One WSGI application, so that both are measured with the same workers, the same
database and the same HTTP stack (bench/floor.py says what the floor is).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
django_application = get_wsgi_application()

from bench import floor  # noqa: E402  (after Django is set up, like any app module)


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/floor/"):
        return floor.application(environ, start_response)
    return django_application(environ, start_response)
