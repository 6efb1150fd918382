"""A throwaway PostgreSQL primary and its streaming replica, made with the server's own tools
(initdb, pg_ctl, pg_basebackup -R), for the test of reads from a replica and for trying the
recipe of docs/deploy.md on one machine. Both listen on loopback only, on ports of their own, and
trust local connections: never point one at data that matters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin")]


def bin_dir() -> Path | None:
    """The folder of initdb and pg_basebackup: GFMD_PG_BIN, else a packaged PostgreSQL's."""
    explicit = os.environ.get("GFMD_PG_BIN")
    candidates = [Path(explicit)] if explicit else BIN_DIRS
    return next((d for d in candidates if (d / "pg_basebackup").exists()), None)


class PostgresPair:
    """A primary on `primary_port` and a hot standby of it on `replica_port`, in a temporary
    folder removed by `stop()`. As root, the servers run as the `postgres` user."""

    def __init__(self, primary_port: int, replica_port: int, bin_path: Path):
        self.bin = bin_path
        self.primary_port, self.replica_port = primary_port, replica_port
        self.root = Path(tempfile.mkdtemp(prefix="gfmd-pg-"))
        self.primary_dir, self.replica_dir = self.root / "primary", self.root / "replica"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> str:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
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

    def wait_replayed(self, primary, replica, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far (two open
        psycopg connections, autocommit)."""
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            behind = replica.execute(
                "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0", [target]
            ).fetchone()[0]
            if not behind:
                return
            time.sleep(0.05)
        raise TimeoutError("the replica did not catch up")
