"""A throwaway PostgreSQL primary and its streaming replica, made with the server's own tools
(initdb, pg_ctl, pg_basebackup -R), for the test of reads from a replica and for trying the
recipe of docs/deploy.md on one machine. Both listen on loopback only, on ports of their own, and
trust local connections: never point one at data that matters.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin")]


def _pgserver_bin() -> list[Path]:
    """The server programs pgserver (the embedded database of development) ships."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or spec.origin is None:
        return []
    return [Path(spec.origin).parent / "pginstall" / "bin"]


def bin_dir() -> Path | None:
    """The folder of initdb and pg_basebackup: GFMD_PG_BIN, else a packaged PostgreSQL's, else
    the one inside pgserver (installed with the project, so a fresh machine has one too)."""
    explicit = os.environ.get("GFMD_PG_BIN")
    candidates = [Path(explicit)] if explicit else [*BIN_DIRS, *_pgserver_bin()]
    return next((d for d in candidates if (d / "pg_basebackup").exists()), None)


def _server_user() -> str:
    """As root, the servers run as `postgres`, or as pgserver's own user where there is no
    `postgres` (PostgreSQL refuses to run as root)."""
    try:
        pwd.getpwnam("postgres")
        return "postgres"
    except KeyError:
        from pgserver.utils import ensure_user_exists

        ensure_user_exists("pgserver")
        return "pgserver"


class PostgresPair:
    """A primary on `primary_port` and a hot standby of it on `replica_port`, in a temporary
    folder removed by `stop()`. As root, the servers run as the `postgres` user (see
    `_server_user`)."""

    def __init__(self, primary_port: int, replica_port: int, bin_path: Path):
        self.bin = bin_path
        self.primary_port, self.replica_port = primary_port, replica_port
        self.root = Path(tempfile.mkdtemp(prefix="gfmd-pg-"))
        self.primary_dir, self.replica_dir = self.root / "primary", self.root / "replica"
        self.user = _server_user() if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.root, self.user, self.user)

    def _run(self, *args: str, timeout: float = 120) -> str:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip()[-1500:]}")
        return result.stdout

    def url(self, port: int, database: str) -> str:
        return f"postgres://postgres@{HOST}:{port}/{database}"

    def start_primary(self) -> None:
        self._run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        settings = [
            f"port = {self.primary_port}",
            f"listen_addresses = '{HOST}'",
            f"unix_socket_directories = '{self.root}'",
            "wal_level = replica",
            "max_wal_senders = 4",
            "hot_standby = on",
            # A replica for a test: durability is not the point, speed is.
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "shared_buffers = 32MB",
        ]
        with (self.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        self._pg_ctl(self.primary_dir, "primary")

    def start_replica(self) -> None:
        """pg_basebackup -R: a copy of the primary that streams its changes from it and
        answers reads (standby.signal and primary_conninfo are written by -R)."""
        self._run("pg_basebackup", "-h", HOST, "-p", str(self.primary_port), "-U", "postgres",
                  "-D", str(self.replica_dir), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        with (self.replica_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self._pg_ctl(self.replica_dir, "replica")

    def _pg_ctl(self, data_dir: Path, name: str) -> None:
        self._run("pg_ctl", "-D", str(data_dir), "-l", str(self.root / f"{name}.log"), "-w",
                  "-t", "60", "start")  # fmt: skip

    def stop_replica(self) -> None:
        """The replica's outage: stopped at once, as if its machine had gone."""
        if (self.replica_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.replica_dir), "-m", "immediate", "stop")

    def restart_replica(self) -> None:
        self._pg_ctl(self.replica_dir, "replica")

    def stop(self) -> None:
        for data_dir in (self.replica_dir, self.primary_dir):
            if (data_dir / "postmaster.pid").exists():
                try:
                    self._run("pg_ctl", "-D", str(data_dir), "-m", "fast", "stop")
                except (RuntimeError, subprocess.TimeoutExpired):
                    pass
        shutil.rmtree(self.root, ignore_errors=True)

    # The conditions below are polled until they hold (every 20 ms, up to `timeout`): what the
    # test relies on is the condition, never a length of time.

    def wait_replayed(self, primary, replica, timeout: float = 60) -> None:
        """Until the replica has replayed everything the primary has written so far (two open
        psycopg connections, autocommit)."""
        target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        wait_until(
            lambda: replica.execute(
                "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) <= 0", [target]
            ).fetchone()[0],
            timeout,
            "the replica did not replay the primary's WAL",
        )

    def wait_received(self, primary, replica, timeout: float = 60) -> None:
        """Until the replica has received (not necessarily replayed) all the primary's WAL."""
        target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        wait_until(
            lambda: replica.execute(
                "SELECT pg_wal_lsn_diff(%s, pg_last_wal_receive_lsn()) <= 0", [target]
            ).fetchone()[0],
            timeout,
            "the replica did not receive the primary's WAL",
        )

    def pause_replay(self, replica, timeout: float = 60) -> None:
        """Stops replay on the standby: pg_wal_replay_pause() only asks for it, so this waits
        until the standby says it has paused; from then on nothing more is replayed."""
        replica.execute("SELECT pg_wal_replay_pause()")
        wait_until(
            lambda: (
                replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] == "paused"
            ),
            timeout,
            "the replica did not pause its replay",
        )

    def resume_replay(self, replica) -> None:
        replica.execute("SELECT pg_wal_replay_resume()")


def wait_until(condition, timeout: float, failure: str) -> None:
    """Polls `condition` (every 20 ms) until it is true; TimeoutError naming `failure` after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{failure} within {timeout:.0f} s")
        time.sleep(0.02)
