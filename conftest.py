"""Repository root marker for pytest: lets `tests/` import the project's apps."""
