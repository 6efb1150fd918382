"""The embedded PostgreSQL starts, is reused, and fails with one clear sentence."""

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from gfmd.lib import embedded_db


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "gfmd.settings"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_embedded_server_starts_and_is_reused(tmp_path):
    data_dir = tmp_path / "pgdata"
    code = (
        "from pathlib import Path; from gfmd.lib import embedded_db; import psycopg;"
        f"url = embedded_db.start(Path({str(data_dir)!r}));"
        "pid = psycopg.connect(url).execute('select pg_backend_pid()').fetchone();"
        "print(url)"
    )
    first = run_python(code)
    assert first.returncode == 0, first.stderr
    assert (data_dir / "PG_VERSION").exists()
    created = (data_dir / "PG_VERSION").stat().st_mtime
    second = run_python(code)
    assert second.returncode == 0, second.stderr
    # The data folder is reused: initdb did not run again.
    assert (data_dir / "PG_VERSION").stat().st_mtime == created
    assert first.stdout.strip() == second.stdout.strip()
    assert first.stdout.strip().endswith(f"/{embedded_db.DATABASE_NAME}?host={data_dir}")


@pytest.mark.slow
def test_two_processes_share_one_server(tmp_path):
    data_dir = tmp_path / "pgdata"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from gfmd.lib import embedded_db;"
            f"embedded_db.start(Path({str(data_dir)!r})); print('up', flush=True); time.sleep(30)",
        ],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "up"
        url = embedded_db.start(data_dir)
        with psycopg.connect(url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        holder.kill()
        holder.wait()


def test_failure_gives_one_clear_sentence(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder's parent should be")
    with pytest.raises(embedded_db.EmbeddedDatabaseError) as error:
        embedded_db.start(blocker / "pgdata")
    message = str(error.value)
    assert message.startswith(f"The embedded PostgreSQL in {blocker / 'pgdata'} could not start")
    assert "DATABASE_URL" in message
    assert "\n" not in message


MANAGE = (
    "import sys, runpy; sys.argv = ['manage.py', {command!r}]; "
    "runpy.run_path('manage.py', run_name='__main__')"
)


def test_manage_py_reports_failure_without_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_python(
        MANAGE.format(command="check"),
        DJANGO_DEBUG="1",
        GFMD_PGDATA=str(blocker / "pgdata"),
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "could not start" in result.stderr


def test_unreachable_database_url_gives_one_sentence():
    result = run_python(
        MANAGE.format(command="migrate"),
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("The database cannot be reached")


def test_embedded_data_folder_is_git_ignored():
    ignored = (Path(settings.BASE_DIR) / ".gitignore").read_text().split()
    assert "var/" in ignored
