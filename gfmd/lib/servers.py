"""Local HTTP servers for tests, benchmarks and load tests: gunicorn serving the site (or another
WSGI app) on a free loopback port, or any other command that serves HTTP there.

    server = gunicorn(env=env, log=tmp / "gunicorn.log", workers=2, threads=2)
    try:
        server.wait_until_ready("/readyz")
        ...  # requests to server.url("/"), or to HOST:server.port
    finally:
        server.stop()

Each server runs in a session of its own (Ctrl-C in a terminal is its starter's to handle) with its
output in a log file, and is stopped with SIGINT to the whole process group (gunicorn's quick
shutdown), then SIGKILL after a grace period. Standard library only: no Django, no project model.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]  # the project: manage.py, the gfmd package
SITE_APP = "gfmd.wsgi:application"


class ServerError(RuntimeError):
    """A server exited at start-up or did not answer in time."""


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def stop_processes(*processes: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGINT to the process group of each (started with start_new_session), then SIGKILL to
    those still running after `grace` seconds."""
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGINT)
            except OSError:
                pass
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            process.wait(5)


class Server:
    """A command serving HTTP on HOST:port, started at once, its output written to `log`."""

    def __init__(
        self,
        args: list[str],
        *,
        port: int,
        env: Mapping[str, str],
        log: Path,
        cwd: Path = ROOT,
        name: str | None = None,
    ):
        self.name = name or Path(args[0]).name
        self.port = port
        self.log = Path(log)
        self._out = self.log.open("wb")
        try:
            self.process = subprocess.Popen(
                args,
                cwd=cwd,
                env=dict(env),
                stdout=self._out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except BaseException:
            self._out.close()
            raise

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def poll(self) -> int | None:
        """None while the server runs, else its exit status."""
        return self.process.poll()

    def status(self, path: str, timeout: float = 5.0) -> int | None:
        """The HTTP status of GET `path`, or None when no answer came."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Host": HOST, "Connection": "close"})
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def wait_until_ready(self, path: str = "/readyz", timeout: float = 60.0) -> Server:
        """Wait until GET `path` answers 200; ServerError if the server exits first or the
        time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            if self.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with status {self.process.returncode} at start-up; "
                    f"see {self.log}: {self.log_tail()}"
                )
            if self.status(path) == 200:
                return self
            if time.monotonic() > deadline:
                raise ServerError(
                    f"{self.name} did not answer {path} within {timeout:g} s; see {self.log}: "
                    f"{self.log_tail()}"
                )
            time.sleep(0.2)

    def log_tail(self, lines: int = 10) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return " / ".join(text.strip().splitlines()[-lines:])

    def pids(self) -> list[int]:
        """The server process and its direct children (gunicorn's workers), from /proc."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        try:
            return [pid, *(int(p) for p in children.read_text().split())]
        except OSError:
            return [pid]

    def stop(self, grace: float = 10.0) -> None:
        stop_processes(self.process, grace=grace)
        self._out.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def gunicorn(
    *,
    env: Mapping[str, str],
    log: Path,
    app: str = SITE_APP,
    cwd: Path = ROOT,
    workers: int = 2,
    threads: int = 1,
    timeout: int = 30,
    graceful_timeout: int | None = None,
    port: int | None = None,
    name: str = "gunicorn",
    extra_args: Iterable[str] = (),
) -> Server:
    """gunicorn serving `app` (the site by default) on a free loopback port with `env`, started
    and not yet waited on (see Server.wait_until_ready): sync workers, or gthread ones when
    `threads` > 1."""
    port = port or free_port()
    args = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--timeout", str(timeout),
        "--log-level", "warning",
        # gunicorn 27's default control socket is one per user (~/.gunicorn): leave it to the
        # machine's own servers.
        "--no-control-socket",
    ]  # fmt: skip
    if threads > 1:
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    if graceful_timeout is not None:
        args += ["--graceful-timeout", str(graceful_timeout)]
    args += list(extra_args)
    return Server(args, port=port, env=env, log=log, cwd=cwd, name=name)
