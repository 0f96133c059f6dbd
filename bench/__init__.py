"""`make bench`: generated data on PostgreSQL, timed, printed as a table of figures."""
