#!/usr/bin/env python3
"""Source sync benchmark (issue figure), in one run on this machine: a ROWS-row table (default 1,000,000) fully
synced PostgreSQL -> PostgreSQL by a rivulet source (`POST /api/v1/sources/{id}/sync`, timed until its status says
the run ended), beside psql piping the same table (`COPY ... TO STDOUT | COPY ... FROM STDIN`) into the same server.
Target: rivulet >= 0.7x psql's rows/s.

    scripts/bench/sources.py
    ROWS=200000 scripts/bench/sources.py
Exits 1 when the target is missed, 2 on a setup error."""
import json, os, shutil, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchnodes import binary, fail, run, start, start_postgres, stop

ROWS = int(os.environ.get("ROWS", "1000000"))
MIN_VS_PSQL = 0.7


def call(port, method, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers={"X-Admin-Token": "bench"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def sync(port):
    """Starts a sync of the source's one collection and waits until its run ended; returns rows per second."""
    before = call(port, "GET", "/api/v1/sources/shop/status")["collections"][0].get("last_run", {}).get("started_at")
    started = time.monotonic()
    call(port, "POST", "/api/v1/sources/shop/sync")
    while True:
        run_state = call(port, "GET", "/api/v1/sources/shop/status")["collections"][0].get("last_run") or {}
        if run_state.get("started_at") != before and run_state.get("status") not in (None, "running"):
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    if run_state.get("status") != "ok" or run_state.get("rows") != ROWS:
        fail(f"the sync ended {run_state}")
    return ROWS / elapsed


def main():
    if not shutil.which("psql"):
        fail("psql is missing")
    rivulet = binary()
    work = tempfile.mkdtemp(prefix="rivulet-sources-")
    processes = []
    try:
        pg, pg_port = start_postgres(work)
        processes.append(pg)
        psql = ["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "bench", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        run(psql + ["-c", "CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount double precision, paid boolean, "
                          f"created_at timestamptz, note text); INSERT INTO orders SELECT g, 'customer-' || (g % 5000), g / 7.0, g % 3 = 0, "
                          f"timestamptz '2026-01-01' + g * interval '1 second', 'order number ' || g FROM generate_series(1, {ROWS}) g"])
        yaml = f"""server: {{name: bench, host: 127.0.0.1, port: 0, admin_token: bench, data_dir: {work}/bench}}
cluster: {{bind: 127.0.0.1:0}}
destinations:
  pg: {{type: postgres, datasource: {{host: 127.0.0.1, port: {pg_port}, db: postgres, username: bench, password: x, schema: synced}}}}
sources:
  shop:
    type: postgres
    destinations: [pg]
    schedule: "0 0 1 1 *"
    config: {{host: 127.0.0.1, port: {pg_port}, db: postgres, username: bench, password: x}}
    collections: [{{name: orders, parameters: {{query: "select * from orders"}}}}]
logging: {{level: warning}}
"""
        node, port, _ = start(rivulet, f"{work}/bench.yaml", yaml, f"{work}/bench.log")
        processes.append(node)
        time.sleep(1)  # the node owns its source from its first scheduler tick
        ours, theirs = [], []
        for _ in range(2):
            run(psql + ["-c", "DROP SCHEMA IF EXISTS synced CASCADE"])
            # A changed table is written again: clear the signature so every run writes all rows.
            call(port, "POST", "/api/v1/sources/clear_cache?source=shop")
            ours.append(sync(port))
            run(psql + ["-c", "DROP TABLE IF EXISTS piped; CREATE TABLE piped (LIKE orders)"])
            started = time.monotonic()
            subprocess.run(f"{' '.join(psql)} -c 'COPY orders TO STDOUT' | {' '.join(psql)} -c 'COPY piped FROM STDIN'",
                           shell=True, check=True)
            theirs.append(ROWS / (time.monotonic() - started))
    finally:
        stop(processes, work)

    print(f"full sync of a {ROWS:,}-row table PostgreSQL -> PostgreSQL, {os.cpu_count()} cores, best of 2")
    print(f"runs: rivulet {[round(r) for r in ours]}, psql {[round(r) for r in theirs]} rows/s", file=sys.stderr)
    ratio = max(ours) / max(theirs)
    print(f"{'':34} {'rows/s':>10} {'vs psql':>8}")
    print(f"{'psql COPY TO STDOUT | FROM STDIN':34} {max(theirs):10.0f} {1:8.2f}x")
    verdict = "PASS" if ratio >= MIN_VS_PSQL else f"FAIL (target >= {MIN_VS_PSQL}x)"
    print(f"{'rivulet source sync':34} {max(ours):10.0f} {ratio:7.2f}x {verdict}")
    sys.exit(0 if ratio >= MIN_VS_PSQL else 1)


if __name__ == "__main__":
    main()
