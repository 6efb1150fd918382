"""The site on the throwaway cluster: the project's commands and gunicorn, production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

from gfmd.lib import servers
from loadtesting.cluster import Cluster
from loadtesting.common import BASE_DIR, HOST, SETUP_TIMEOUT, SetupError


class Site:
    """The project's commands and gunicorn, with production settings, on the throwaway cluster."""

    def __init__(
        self,
        root: Path,
        cluster: Cluster,
        anon_rate: str,
        pool_options: dict | None = None,
        redis_url: str = "",
    ):
        self.root = root
        self.cluster = cluster
        self.static_root = root / "staticfiles"
        self.settings_dir = root / "settings"
        self.processes: list[subprocess.Popen] = []  # manage.py commands in the background
        self.servers: list[servers.Server] = []
        self.lock = threading.Lock()
        self.closed = False
        self.settings_dir.mkdir()
        # Production settings, except that collectstatic writes to the temporary folder rather
        # than the shared var/staticfiles (settings read STATIC_ROOT from no variable).
        text = (
            "from gfmd.settings import *  # noqa: F401,F403\n"
            f"STATIC_ROOT = {str(self.static_root)!r}\n"
        )
        if pool_options:
            # To try pool options before changing settings.py (--pool-option).
            text += (
                "for _config in DATABASES.values():\n"
                "    if isinstance(_config.get('OPTIONS', {}).get('pool'), dict):\n"
                f"        _config['OPTIONS']['pool'].update({pool_options!r})\n"
            )
        (self.settings_dir / "loadtest_settings.py").write_text(text)
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "GFMD_SEEDS_DIR"}
        self.env = {key: value for key, value in os.environ.items() if key in keep}
        self.env.update(
            {
                "PYTHONPATH": os.pathsep.join([str(self.settings_dir), str(BASE_DIR)]),
                "PYTHONUNBUFFERED": "1",
                "DJANGO_SETTINGS_MODULE": "loadtest_settings",
                "DATABASE_URL": cluster.url,
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": HOST,
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "GFMD_DB_POOL": "1",
                "GFMD_ANON_RATE": anon_rate,
            }
        )
        if redis_url:
            self.env["REDIS_URL"] = redis_url

    def spawn(self, command: list[str], **kwargs) -> subprocess.Popen:
        """Start a process that the clean-up will stop (never once the clean-up has begun)."""
        with self.lock:
            if self.closed:
                raise SetupError("the run is stopping")
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, start_new_session=True, **kwargs
            )
            self.processes.append(process)
            return process

    def manage_in_background(self, *args: str) -> tuple[subprocess.Popen, Path]:
        output = self.root / f"manage-{args[0]}.log"
        with open(output, "w") as out:
            process = self.spawn(
                [sys.executable, "manage.py", *args], stdout=out, stderr=subprocess.STDOUT
            )
        return process, output

    @staticmethod
    def finish(process: subprocess.Popen, output: Path, name: str) -> None:
        if process.wait(SETUP_TIMEOUT):
            tail = output.read_text(errors="replace").strip().splitlines()[-5:]
            raise SetupError(f"manage.py {name} failed: " + " / ".join(tail))

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
        )
        if result.returncode:
            tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-5:]
            raise SetupError(f"manage.py {' '.join(args)} failed: " + " / ".join(tail))
        return result.stdout

    def gunicorn(self, workers: int, threads: int, logfile: Path) -> servers.Server:
        """gunicorn as docs/deploy.md runs it, on a free port (not waited on), which the clean-up
        will stop; never started once the clean-up has begun."""
        with self.lock:
            if self.closed:
                raise SetupError("the run is stopping")
            server = servers.gunicorn(
                env=self.env, log=logfile, cwd=BASE_DIR, workers=workers, threads=threads,
                timeout=30, graceful_timeout=5,
            )  # fmt: skip
            self.servers.append(server)
            return server

    def shutdown(self) -> None:
        with self.lock:
            self.closed = True
        try:
            # Every process at once, with 8 s of grace; then each server closes its log.
            processes = self.processes + [server.process for server in self.servers]
            servers.stop_processes(*processes, grace=8.0)
            for server in self.servers:
                server.stop()
        except Exception:  # noqa: BLE001 - the clean-up goes on
            pass
