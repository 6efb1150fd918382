"""Load with wrk on a server until it is idle again, page after page; Datasette, the peer."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from figures import Run, SizeResult, latency, throughput
from paths import BENCH, VENV_BIN, WORK

from gfmd.lib.servers import Server, free_port


def datasette(db_path: Path, inspect_file: Path, env: dict) -> Server:
    port = free_port()
    args = [
        str(VENV_BIN / "datasette"), "serve",
        "-i", str(db_path),
        "--inspect-file", str(inspect_file),
        "-h", "127.0.0.1", "-p", str(port),
        "--setting", "suggest_facets", "off",
        "--setting", "sql_time_limit_ms", "60000",
        "--setting", "facet_time_limit_ms", "60000",
    ]  # fmt: skip
    server = Server(args, port=port, env=env, log=WORK / "datasette.log", cwd=db_path.parent)
    try:
        return server.wait_until_ready("/-/versions.json", timeout=120)
    except BaseException:
        server.stop()
        raise


def peak_memory_mb(server: Server) -> list[float]:
    """VmHWM of each worker (or of the one process when it has none)."""
    pids = server.pids()
    workers = pids[1:] or pids[:1]
    peaks = []
    for pid in workers:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def wrk(url: str, connections: int, seconds: float) -> Run:
    threads = min(connections, 2)
    out = subprocess.run(
        [
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "30s", "-s", str(BENCH / "report.lua"), url,
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    data = json.loads(line[5:])
    seconds = data["duration_us"] / 1e6
    done = data["requests"]
    return Run(
        requests_per_s=done / seconds if seconds else 0.0,
        p50=data["p50"] / 1000 if done else None,
        p95=data["p95"] / 1000 if done else None,
        p99=data["p99"] / 1000 if done else None,
        errors=data["socket_errors"] + data["non_2xx_3xx"],
        requests=done,
        seconds=seconds,
    )


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def wait_idle(server: Server, database_url: str, timeout: float = 300) -> None:
    """Wait until the server has finished what wrk left queued when it stopped (sync workers
    go on serving requests whose clients have gone) and its database queries are done."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            before = cpu_ticks(server.pids())
            time.sleep(0.3)
            busy = cpu_ticks(server.pids()) - before
            active = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if busy <= 2 and not active:
                return


def drive(
    server: Server, paths: dict[str, str], args, result: SizeResult, key: str, database_url: str
) -> None:
    for name, path in paths.items():
        url = server.url(path)
        # Warm every worker: caches, the connection pool, the search vocabulary.
        wrk(url, max(args.connections), args.warmup)
        wait_idle(server, database_url)
        for connections in args.connections:
            run = wrk(url, connections, args.duration)
            wait_idle(server, database_url)
            result.runs[(key, name, connections)] = run
            print(
                f"  {key:7} {name:20} c={connections:<3} {throughput(run):>8} req/s  "
                f"p50 {latency(run, 'p50'):>7}  p95 {latency(run, 'p95'):>7}  "
                f"p99 {latency(run, 'p99'):>7} ms"
                + (f"  ERRORS {run.errors}" if run.errors else ""),
                flush=True,
            )
