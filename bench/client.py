"""A small HTTP load client: `clients` processes, each sending requests one after another.

Processes, not threads, so that the client's own JSON reading does not queue behind one
GIL. Each request opens a connection (gunicorn's sync workers close it after each
response, for the API and the floor alike) and reads the whole body; latency is from
sending to the last byte. Requests are spread evenly over the clients.
"""

import http.client
import json
import multiprocessing
import os
import statistics
import time


def fetch(
    port: int, path: str, token: str, *, post: dict | None = None, if_match: str | None = None
) -> tuple[float, int, int, int, str | None]:
    """One request: seconds, status, X-Queries, body size, ETag."""
    headers = {"Authorization": f"Token {token}"}
    body = None
    if post is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(post)
    if if_match is not None:
        headers["If-Match"] = if_match
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET" if post is None else "POST", path, body=body, headers=headers)
    response = connection.getresponse()
    answer = response.read()
    elapsed = time.perf_counter() - started
    queries = int(response.getheader("X-Queries", "-1"))
    etag = response.getheader("ETag")
    connection.close()
    return elapsed, response.status, queries, len(answer), etag


def _worker(args) -> list[tuple]:
    port, path, token, count = args
    if isinstance(path, tuple):
        return _poster(port, path, token, count)
    return [fetch(port, path, token) for _ in range(count)]


def _poster(port: int, paths: tuple[str, str], token: str, count: int) -> list[tuple]:
    """Progress updates on one task, each a new one: a note and progress that change,
    sent with the ETag the last answer gave (the first read from the task, not timed)."""
    detail, updates = paths
    etag = fetch(port, detail, token)[4]
    results = []
    for n in range(count):
        post = {"note": f"Benchmark note {n} from {os.getpid()}", "progress": n % 100}
        results.append(fetch(port, updates, token, post=post, if_match=etag))
        etag = results[-1][4]
    return results


def load(
    port: int, path: str | list, token: str, *, clients: int, requests: int, expect: int = 200
) -> dict:
    """Send `requests` GETs with `clients` at a time; rps, p50, p95 (ms), queries, size.

    `path` a list of (detail, updates) paths, one a client: each client posts progress
    updates to its own task (bench.__main__.update_targets), answered `expect` (201)."""
    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    if clients == 1:
        results = _worker((port, path[0] if isinstance(path, list) else path, token, requests))
    else:
        paths = path if isinstance(path, list) else [path] * clients
        with multiprocessing.get_context("fork").Pool(clients) as pool:
            parts = pool.map(_worker, [(port, paths[i], token, n) for i, n in enumerate(share)])
        results = [r for part in parts for r in part]
    wall = time.perf_counter() - started
    latencies = sorted(r[0] * 1000 for r in results)
    statuses = {r[1] for r in results}
    if statuses != {expect}:
        raise RuntimeError(f"{path}: answered {sorted(statuses)}")
    return {
        "rps": len(results) / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "queries": sorted({r[2] for r in results}),
        "bytes": results[0][3],
    }
