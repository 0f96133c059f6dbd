"""A small HTTP load client: `clients` processes, each sending requests one after another.

Processes, not threads, so that the client's own JSON reading does not queue behind one
GIL. Each request opens a connection (gunicorn's sync workers close it after each
response, for the API and the floor alike) and reads the whole body; latency is from
sending to the last byte. Requests are spread evenly over the clients.
"""

import http.client
import multiprocessing
import statistics
import time


def fetch(port: int, path: str, token: str) -> tuple[float, int, int, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Authorization": f"Token {token}"})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    queries = int(response.getheader("X-Queries", "-1"))
    connection.close()
    return elapsed, response.status, queries, len(body)


def _worker(args) -> list[tuple[float, int, int, int]]:
    port, path, token, count = args
    return [fetch(port, path, token) for _ in range(count)]


def load(port: int, path: str, token: str, *, clients: int, requests: int) -> dict:
    """Send `requests` GETs with `clients` at a time; rps, p50, p95 (ms), queries, size."""
    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    if clients == 1:
        results = _worker((port, path, token, requests))
    else:
        with multiprocessing.get_context("fork").Pool(clients) as pool:
            parts = pool.map(_worker, [(port, path, token, n) for n in share])
        results = [r for part in parts for r in part]
    wall = time.perf_counter() - started
    latencies = sorted(r[0] * 1000 for r in results)
    statuses = {r[1] for r in results}
    if statuses != {200}:
        raise RuntimeError(f"{path}: answered {sorted(statuses)}")
    return {
        "rps": len(results) / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "queries": sorted({r[2] for r in results}),
        "bytes": results[0][3],
    }
