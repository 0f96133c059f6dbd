"""Bench only: `X-Queries` on every response, the number of SQL statements it took.

Counted with an execute wrapper (a counter, no SQL kept), not with DEBUG's query log:
the count costs nothing measurable, so it can stay on while latencies are taken.
"""

from django.db import connection


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
