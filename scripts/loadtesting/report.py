"""The server's own error reports, and the report printed at the end of a run."""

from __future__ import annotations

from pathlib import Path


def server_errors(logfile: Path, limit: int = 20) -> list[str]:
    """The server's error reports: each 500 with the exception that caused it, and gunicorn's own
    errors (a worker killed on timeout, a crash)."""
    try:
        lines = logfile.read_text(errors="replace").splitlines()
    except OSError:
        return []
    reports = []
    for index, line in enumerate(lines):
        if line.startswith("Internal Server Error"):
            cause = next(
                (
                    later
                    for later in lines[index + 1 :]
                    if later.strip()
                    and not later.startswith((" ", "\t", "Traceback"))
                    and not later.lstrip().startswith("^")
                ),
                "",
            )
            reports.append(f"{line} <- {cause}")
        elif "[ERROR]" in line or "[CRITICAL]" in line:
            reports.append(line)
    return reports[-limit:]


def print_report(report: dict, args, startup: dict, setup_seconds: dict) -> None:
    def fmt(p: dict) -> str:
        return f"p50 {p['p50']} ms, p95 {p['p95']} ms, p99 {p['p99']} ms, max {p['max']} ms"

    print()
    print("=" * 78)
    print(
        f"Load test: {args.clients} clients for {report['duration_s']} s, gunicorn "
        f"{args.workers} workers x {args.threads} threads (gthread), database stopped "
        f"({args.stop_mode}) at {args.outage_at} s for {args.outage} s"
    )
    print("Set-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in setup_seconds.items()))
    if report.get("settings_changed"):
        print("Settings changed for this run: " + "; ".join(report["settings_changed"]))
    print(
        f"Requests: {report['requests']} sent, {report['served']} served "
        f"({report['throughput_per_s']}/s)"
    )
    print(f"Errors: {report['error_count']} {report['errors'] or ''}")
    print(f"Expected 503 while the database was away: {report['expected_503_during_outage']}")
    for name, shape in report["outage_503"].items():
        if shape["count"]:
            print(
                f"  {name}: {shape['count']} answers, right type {shape['content_type_ok']}, "
                f"Retry-After: 5 {shape['retry_after_5']}, say the database is unavailable "
                f"{shape['says_database_unavailable']}; {fmt(shape['latency_ms'])}"
            )
    print("Latency of served requests:")
    for name, p in report["latency_ms"].items():
        print(f"  {name:20} {fmt(p)}")
    o = report["outage"]
    print(
        f"Outage: stop issued at {o['stop_issued_s']} s, down at {o['down_s']} s, start "
        f"issued at {o['start_issued_s']} s, up at {o['up_s']} s "
        f"(down for {o['database_down_for_s']} s){' ERROR ' + o['error'] if o['error'] else ''}"
    )
    r = report["recovery"]
    print(
        f"Recovery after the database was back: first success {r.get('first_success_s')} s, "
        "first success of a request sent after the restart "
        f"{r.get('first_success_of_a_request_sent_after_restart_s')} s, last failure "
        f"{r.get('last_failure_s')} s ({r.get('failures_after_restart')} failed answers); "
        f"/readyz failed {r.get('readyz_first_failure_after_stop_s')} s after the stop, "
        f"and was back {r.get('readyz_back_after_restart_s')} s after the restart"
    )
    for text in report.get("server_errors", [])[:5]:
        print(f"Server error: {text}")
    w = report["writes"]
    verdict = "none lost" if not w["lost_of_those_acknowledged_before_outage"] else "LOST"
    print(
        f"Writes: {w['attempted']} attempted, {w['acknowledged']} acknowledged "
        f"({w['records_acknowledged']} records, {w['records_acknowledged_before_outage']} "
        f"before the outage): {verdict}; missing {len(w['missing'])}, with an older text "
        f"{len(w['with_an_older_text'])}"
    )
    if startup:
        if startup.get("exited"):
            print(
                f"gunicorn started with the database down: exited with status {startup['status']}"
            )
        else:
            print(
                "gunicorn started with the database down: did NOT exit; still serving after "
                f"{startup.get('still_running_after')} s"
                + (
                    ""
                    if startup.get("answered_while_database_down", True)
                    else " (NB: the database was back before it answered)"
                )
                + ":"
            )
            for path, answer in startup.get("answers", {}).items():
                print(
                    f"  {path}: {answer['status']} in {answer['seconds']} s, "
                    f"{answer['content_type']}, Retry-After {answer['retry_after']}: "
                    f"{answer['body'][:90]!r}"
                )
        for line in startup.get("output", []):
            print(f"  | {line}")
    print("=" * 78)
