"""Repository root marker for pytest: lets `tests/` import the project's apps."""

# Real Celery worker and beat processes for the tests that need them (tests/celery_worker.py).
pytest_plugins = ["tests.celery_worker"]
