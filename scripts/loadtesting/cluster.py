"""The throwaway PostgreSQL cluster, which the load test stops and starts at will."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from gfmd.lib.servers import free_port
from loadtesting.common import HOST, SetupError


class Cluster:
    """A PostgreSQL cluster of its own, made with pgserver's binaries in a temporary folder and
    listening on a loopback port. As root, PostgreSQL runs as pgserver's 'pgserver' user."""

    def __init__(self, root: Path):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is not set
            import pgserver._commands

        self.bin = Path(pgserver._commands.POSTGRES_BIN_PATH)
        self.root = root / "pg"
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.logfile = self.root / "postgres.log"
        self.port = free_port()
        self.user: str | None = None
        self.started = False
        self.closed = False
        self.lock = threading.Lock()  # the clean-up waits for a start or stop under way

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/gfmd"

    def _run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        extra = {}
        if self.user:
            extra = {"user": self.user, "group": self.user, "extra_groups": []}
        return subprocess.run(
            [str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,  # Ctrl-C is ours to handle; the server must not see it
            **extra,
        )

    def init(self) -> None:
        self.root.mkdir(parents=True)
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: do what pgserver does for var/pgdata.
            import pwd
            import stat

            from pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self.user = "pgserver"
            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.root)
            ensure_prefix_permissions(self.bin)
            readable = stat.S_IRGRP | stat.S_IROTH
            ensure_folder_permissions(self.bin, readable | stat.S_IXGRP | stat.S_IXOTH)
            ensure_folder_permissions(self.bin.parent / "lib", readable)
            entry = pwd.getpwnam(self.user)
            for path in (self.root, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        result = self._run(
            "initdb",
            "-D",
            str(self.data),
            "--auth=trust",
            "--encoding=UTF8",
            "--username=postgres",
            "--no-instructions",
        )
        if result.returncode:
            raise SetupError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        with self.lock:
            if self.closed:
                raise SetupError("the run is stopping")
            self.started = True
            self._start()

    def _start(self) -> None:
        options = f"-h {HOST} -p {self.port} -k {self.socket_dir}"
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "30",
            "start",
        )
        if result.returncode:
            raise SetupError(f"pg_ctl start failed: {result.stderr.strip()}; see {self.logfile}")

    def stop(self, mode: str = "fast") -> None:
        with self.lock:
            if self.closed:
                raise SetupError("the run is stopping")
            result = self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")
        if result.returncode:
            raise SetupError(f"pg_ctl stop failed: {result.stderr.strip()}")

    def is_ready(self) -> bool:
        result = self._run("pg_isready", "-q", "-h", HOST, "-p", str(self.port), timeout=10)
        return result.returncode == 0

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(
            host=HOST, port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute('CREATE DATABASE "gfmd"')

    def query(self, sql: str, params=None) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def shutdown(self) -> None:
        """Stop the server whatever state it is in (for the clean-up)."""
        with self.lock:
            self.closed = True
        if not self.started or not (self.data / "PG_VERSION").exists():
            return
        pidfile = self.data / "postmaster.pid"
        if not pidfile.exists():
            return
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "15", "stop")
        except (OSError, subprocess.TimeoutExpired):
            pass
        if pidfile.exists():
            try:
                pid = int(pidfile.read_text().splitlines()[0])
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown
                time.sleep(1)
                os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                pass
