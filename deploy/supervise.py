"""`make run`: the demo's web server, Celery worker and beat, started and stopped as one.

    .venv/bin/python deploy/supervise.py --host 127.0.0.1 --port 8000

Links: the calendar feed and the reminder e-mails (written by the worker) link to
SITE_URL, so every process gets SITE_URL=http://HOST:PORT, the address the server is
started on, unless the environment already sets one (a proxy's name, say).

Stopping (Ctrl-C, TERM or HUP): every process runs in a process group of its own, so the
terminal's Ctrl-C reaches this supervisor only, never Celery's pool processes, which reset
TERM to its default and die mid-job when signalled directly; the old `make run` signalled
every process at once, and its worker was seen hanging in its warm shutdown. Here each
main process gets TERM, as systemd's KillMode=mixed sends it (deploy/systemd/); whatever
of a group is still there GRACE_SECONDS later is killed; a second Ctrl-C kills at once.
If one process exits on its own, the others are stopped too, and the exit status says so.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Within the 10 s a person waits for Ctrl-C: a warm shutdown finishes the job in hand.
GRACE_SECONDS = 8.0
POLL_SECONDS = 0.1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# A wildcard address is where the server listens, not an address to link to.
WILDCARD_TO_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1"}


def netloc(host: str, port: int) -> str:
    """`host:port` as a URL or runserver writes it: an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def demo_environment(environ: Mapping[str, str], *, host: str, port: int) -> dict[str, str]:
    """What every demo process runs with: the caller's environment, the local settings,
    and SITE_URL from the server's address unless the caller gave one."""
    env = dict(environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if not env.get("SITE_URL"):
        env["SITE_URL"] = f"http://{netloc(WILDCARD_TO_LOOPBACK.get(host, host), port)}"
    return env


def demo_commands(*, host: str, port: int, bin_dir: Path) -> dict[str, list[str]]:
    python, celery = str(bin_dir / "python"), str(bin_dir / "celery")
    return {
        "web": [python, "manage.py", "runserver", "--noreload", netloc(host, port)],
        "worker": [
            *(celery, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"),
            "--hostname=demo-worker@%h",
        ],
        "beat": [celery, "-A", "config", "beat", "--loglevel=INFO"],
    }


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], env: dict[str, str]):
        self.commands, self.env = commands, env
        self.processes: dict[str, subprocess.Popen] = {}
        self.signals = 0

    def on_signal(self, number: int, _frame) -> None:
        self.signals += 1

    def start(self) -> None:
        for name, command in self.commands.items():
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, start_new_session=True
            )

    def exited(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def wait_for_a_stop(self) -> list[str]:
        """Until a stop signal, or until a process exits: the names of those that did."""
        while not self.signals:
            if exited := self.exited():
                return exited
            time.sleep(POLL_SECONDS)
        return []

    def stop(self) -> None:
        """TERM to each main process; after the grace (or a second signal), KILL the groups."""
        asked = self.signals
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        while len(self.exited()) < len(self.processes) and time.monotonic() < deadline:
            if self.signals > asked:  # asked (again) while stopping: now
                break
            time.sleep(POLL_SECONDS)
        # Every group, even one whose main process has exited: a pool process left behind
        # (its parent killed, say) would otherwise outlive the demo.
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    bin_dir = Path(sys.executable).parent
    supervisor = Supervisor(
        demo_commands(host=args.host, port=args.port, bin_dir=bin_dir),
        demo_environment(os.environ, host=args.host, port=args.port),
    )
    for number in STOP_SIGNALS:
        signal.signal(number, supervisor.on_signal)
    supervisor.start()
    crashed = supervisor.wait_for_a_stop()
    supervisor.stop()
    if crashed:
        print(f"make run: {', '.join(crashed)} exited; the others were stopped.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
