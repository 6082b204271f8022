#!/usr/bin/env python3
"""Replay benchmark (issue figure), in one run on this machine: a fallback file of LINES lines (default 1,000,000)
replayed into PostgreSQL by `POST /api/v1/replay`, beside `psql \\copy` of the same rows as CSV into the same server.
Printed: events/s of each, and the node's peak RSS (VmHWM) during the replay.
Targets: rivulet >= 0.8x psql's rate, peak RSS < 100 MB.

    scripts/bench/replay.py
    LINES=200000 scripts/bench/replay.py
Exits 1 when a target is missed, 2 on a setup error."""
import json, os, shutil, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchnodes import binary, fail, run, start, start_postgres, stop

LINES = int(os.environ.get("LINES", "1000000"))
MIN_VS_PSQL, MAX_RSS_MB = 0.8, 100
PSQL_LABEL = "psql \\copy (CSV)"
COLUMNS = ["eventn_ctx_event_id", "_timestamp", "event_type", "user_id", "page_url", "duration", "is_new"]


def row(i):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime(1_790_000_000 + i))
    return [f"bench-{i}", stamp, "pageview", i % 10000, f"https://example.com/products/{i % 500}?ref=bench",
            (i % 1000) / 10 + 0.05, i % 3 == 0]


def write_inputs(fallback_path, csv_path):
    """The fallback file a refused batch leaves, and the same rows as CSV for psql."""
    with open(fallback_path, "w") as fallback, open(csv_path, "w") as csv:
        for i in range(LINES):
            values = row(i)
            event = dict(zip(COLUMNS, values))
            fallback.write(json.dumps({"error": "connection refused", "event": event, "event_id": event["eventn_ctx_event_id"]},
                                      separators=(",", ":")) + "\n")
            csv.write(",".join("true" if v is True else "false" if v is False else str(v) for v in values) + "\n")


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def replay(port, file_name, skip_malformed):
    body = json.dumps({"file_name": file_name, "skip_malformed": skip_malformed, "force": True}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/replay", data=body,
                                     headers={"X-Admin-Token": "bench", "Content-Type": "application/json"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=3600) as response:
        answer = json.loads(response.read())
    elapsed = time.monotonic() - started
    if answer.get("replayed") != LINES:
        fail(f"the replay stored {answer.get('replayed')} of {LINES} events: {answer}")
    return LINES / elapsed


def main():
    if not shutil.which("psql"):
        fail("psql is missing")
    rivulet = binary()
    work = tempfile.mkdtemp(prefix="rivulet-replay-")
    processes = []
    try:
        pg, pg_port = start_postgres(work)
        processes.append(pg)
        name = "bench-errors-pg-2026-11-25T09-57-10.411.log"
        os.makedirs(f"{work}/bench/fallback")
        csv_path = f"{work}/rows.csv"
        write_inputs(f"{work}/bench/fallback/{name}", csv_path)
        os.chmod(work, 0o755)
        yaml = f"""server: {{name: bench, host: 127.0.0.1, port: 0, admin_token: bench, data_dir: {work}/bench}}
cluster: {{bind: 127.0.0.1:0}}
destinations:
  pg: {{type: postgres, datasource: {{host: 127.0.0.1, port: {pg_port}, db: postgres, username: bench, password: x}},
       data_layout: {{table_name_template: replay_bench}}}}
logging: {{level: warning}}
"""
        node, port, _ = start(rivulet, f"{work}/bench.yaml", yaml, f"{work}/bench.log")
        processes.append(node)
        psql = ["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "bench", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        # Alternating runs, best of each, as the COPY comparison of ingest.py does.
        ours, ours_one_pass, theirs = [], [], []
        for _ in range(2):
            run(psql + ["-c", "DROP TABLE IF EXISTS replay_bench"])
            ours.append(replay(port, name, skip_malformed=False))
            run(psql + ["-c", "DROP TABLE IF EXISTS replay_bench"])
            ours_one_pass.append(replay(port, name, skip_malformed=True))
            run(psql + ["-c", "DROP TABLE IF EXISTS psql_copy; CREATE TABLE psql_copy (eventn_ctx_event_id text, _timestamp timestamptz, "
                              "event_type text, user_id bigint, page_url text, duration double precision, is_new boolean)"])
            started = time.monotonic()
            run(psql + ["-c", f"\\copy psql_copy ({', '.join(COLUMNS)}) FROM '{csv_path}' CSV"])
            theirs.append(LINES / (time.monotonic() - started))
        rss = peak_rss_mb(node.pid)
        size_mb = os.path.getsize(f"{work}/bench/fallback/{name}") / 1e6
    finally:
        stop(processes, work)

    print(f"replay of a {LINES:,}-line fallback file ({size_mb:.0f} MB) into PostgreSQL, {os.cpu_count()} cores, best of 2")
    print(f"runs: rivulet {[round(r) for r in ours]}, rivulet skip_malformed {[round(r) for r in ours_one_pass]}, psql {[round(r) for r in theirs]} events/s",
          file=sys.stderr)
    best_psql = max(theirs)
    print(f"{'':40} {'events/s':>10} {'vs psql':>8}")
    print(f"{PSQL_LABEL:40} {best_psql:10.0f} {1:8.2f}x")
    missed = False
    for label, rate in (("rivulet replay (validate, then write)", max(ours)), ("rivulet replay, skip_malformed (one pass)", max(ours_one_pass))):
        ratio = rate / best_psql
        ok = ratio >= MIN_VS_PSQL
        missed |= not ok and "validate" in label
        print(f"{label:40} {rate:10.0f} {ratio:7.2f}x {'PASS' if ok else f'FAIL (target >= {MIN_VS_PSQL}x)'}")
    rss_ok = rss < MAX_RSS_MB
    missed |= not rss_ok
    print(f"peak RSS of the node (VmHWM): {rss:.1f} MB {'PASS' if rss_ok else f'FAIL (target < {MAX_RSS_MB} MB)'}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
