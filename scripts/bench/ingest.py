#!/usr/bin/env python3
"""Data-plane benchmark (issue figures), in one run on this machine:

1. Ingestion: wrk posts a 1 KB event with a server token to `POST /api/v1/s2s/event`, 64 connections, against
   rivulet in batch mode to `file`, rivulet in batch mode to PostgreSQL, and nginx answering the same POST with a
   static body (the machine's ceiling for that HTTP work). Every rivulet 200 is durable (group-committed fsync).
   Targets: rivulet >= 0.4x nginx's requests/s, p99 < 10 ms.
2. COPY: rows/s of rivulet's postgres destination (postgres-bench, the code the runner calls) beside `psql \\copy`
   of the same rows into the same server. Target: >= 0.8x.

    scripts/bench/ingest.py            # DURATION=20 s per server, ROUNDS=3, ROWS=500000
    DURATION=5 ROUNDS=1 ROWS=100000 scripts/bench/ingest.py

Runs on two shared cores wander by 15-30%, so the servers take turns for ROUNDS rounds (a fresh node each time) and
the table shows each one's median req/s and median p99; every round's figures go to stderr.

Beside each server the table shows where the machine's CPU went per request, in microseconds (user + system time
from /proc, medians over the rounds): the server process, PostgreSQL's processes, wrk, and the whole machine's busy
time. On a machine this small the client and the database share the cores with the server, so these columns say
how much of a request's cost is the server's own.

Exits 1 when a target is missed, 2 on a setup error."""
import json, os, re, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchnodes import BUILD_RELEASE, binary, fail, free_port, run, start, start_postgres, stop

DURATION = int(os.environ.get("DURATION", "20"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
ROWS = int(os.environ.get("ROWS", "500000"))
CONNECTIONS = 64
TOKEN = "s2s.bench"
MIN_VS_NGINX, MAX_P99_MS, MIN_VS_PSQL = 0.4, 10.0, 0.8


def start_nginx(work):
    port = free_port()
    directory = os.path.join(work, "nginx")
    os.makedirs(directory)
    with open(os.path.join(directory, "nginx.conf"), "w") as conf:
        conf.write(f"""daemon off; master_process off; worker_processes 1; pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {directory}/body; proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi; uwsgi_temp_path {directory}/uwsgi; scgi_temp_path {directory}/scgi;
  server {{ listen 127.0.0.1:{port};
    location = /api/v1/s2s/event {{ default_type application/json; return 200 '{{"status":"ok"}}'; }} }} }}
""")
    process = subprocess.Popen(["/usr/sbin/nginx", "-p", directory, "-c", os.path.join(directory, "nginx.conf"), "-e",
                                os.path.join(directory, "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, port


def wrk(port, body_file, seconds):
    script = body_file + ".lua"
    with open(script, "w") as lua:
        lua.write(f'wrk.method = "POST"\nlocal f = io.open("{body_file}")\nwrk.body = f:read("*a")\nf:close()\n'
                  'wrk.headers["Content-Type"] = "application/json"\n')
    report = run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script,
                  f"http://127.0.0.1:{port}/api/v1/s2s/event?token={TOKEN}"])
    if "Non-2xx" in report or "Socket errors" in report:
        fail(f"wrk reported errors:\n{report}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", report).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return rps, p99


def process_seconds(pid):
    """User + system CPU seconds of a process, all its threads."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_seconds():
    """CPU seconds of every running PostgreSQL process (its backends included)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{pid}/comm").read().startswith("postgres"):
                total += process_seconds(pid)
        except OSError:
            pass
    return total


def machine_busy_seconds():
    """CPU seconds the machine spent on anything but idle and I/O wait, all cores."""
    fields = [int(value) for value in open("/proc/stat").readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def measured_wrk(port, body_file, seconds, server_pid):
    """wrk's req/s and p99, and the CPU microseconds per request of the server, PostgreSQL, wrk and the machine."""
    def sample():
        return (process_seconds(server_pid), postgres_seconds(), os.times().children_user + os.times().children_system,
                machine_busy_seconds())
    before = sample()
    rps, p99 = wrk(port, body_file, seconds)
    after = sample()
    requests = rps * seconds
    cpu = tuple(1e6 * (end - start) / requests for start, end in zip(before, after))
    return rps, p99, cpu


def node_yaml(work, name, destination):
    return f"""server: {{name: {name}, host: 127.0.0.1, port: 0, data_dir: {work}/{name}}}
cluster: {{bind: 127.0.0.1:0}}
api_keys: [{{id: bench, server_secret: {TOKEN}}}]
destinations: {{out: {destination}}}
logging: {{level: warning}}
"""


def settle(data_dir, pg_port):
    """Lets the machine go quiet before the next server's turn: a node's files (a gigabyte or more) would otherwise be
    written back, and PostgreSQL would checkpoint and vacuum what it received, during whichever run comes next."""
    shutil.rmtree(data_dir, ignore_errors=True)
    subprocess.run(["sync"], check=True)
    run(["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "bench", "-d", "postgres", "-q", "-c", "VACUUM", "-c", "CHECKPOINT"])
    time.sleep(1)


def event_body(path):
    """A page-view event padded to 1024 bytes of JSON."""
    event = {"event_type": "pageview", "user": {"id": "u-123456", "email": "someone@example.com"},
             "props": {f"k{i}": "v" * 30 for i in range(20)}, "pad": ""}
    event["pad"] = "x" * (1024 - len(json.dumps(event)))
    text = json.dumps(event)
    with open(path, "w") as body:
        body.write(text)
    return len(text)


def copy_comparison(work, pg_port):
    """Best of three alternating runs each (the server's background work after the ingestion runs, checkpoints and
    autovacuum, would otherwise fall on whichever side runs first)."""
    subprocess.run([BUILD_RELEASE, "--product", "postgres-bench"], check=True, stdout=sys.stderr)
    bench_bin = os.path.join(run([BUILD_RELEASE, "--show-bin-path"]).strip(), "postgres-bench")
    # The same rows as postgres-bench generates, as COPY text for psql.
    rows_file = os.path.join(work, "rows.tsv")
    with open(rows_file, "w") as rows:
        for i in range(ROWS):
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime(1_790_000_000 + i))
            rows.write(f"bench-{i}\t{stamp}\tpageview\t{i % 10000}\thttps://example.com/products/{i % 500}?ref=bench\t"
                       f"{(i % 1000) / 10 + 0.05}\t{'true' if i % 3 == 0 else 'false'}\n")
    os.chmod(work, 0o755)
    columns = "eventn_ctx_event_id, _timestamp, event_type, user_id, page_url, duration, is_new"
    psql = ["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "bench", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
    ours, theirs = [], []
    for _ in range(3):
        run(psql + ["-c", "DROP TABLE IF EXISTS bench_events"])
        ours.append(json.loads(run([bench_bin, "127.0.0.1", str(pg_port), "postgres", "bench", "x", str(ROWS), "10000"]))["rows_per_second"])
        run(psql + ["-c", "DROP TABLE IF EXISTS psql_copy; CREATE TABLE psql_copy (eventn_ctx_event_id text, _timestamp timestamptz, "
                          "event_type text, user_id bigint, page_url text, duration double precision, is_new boolean)"])
        started = time.monotonic()
        run(psql + ["-c", f"\\copy psql_copy ({columns}) FROM '{rows_file}'"])
        theirs.append(ROWS / (time.monotonic() - started))
    print(f"COPY runs: rivulet {[round(r) for r in ours]}, psql {[round(r) for r in theirs]} rows/s", file=sys.stderr)
    return max(ours), max(theirs)


def main():
    for tool in ("wrk", "psql"):
        if not shutil.which(tool):
            fail(f"{tool} is missing")
    rivulet = binary()
    work = tempfile.mkdtemp(prefix="rivulet-ingest-")
    processes = []
    try:
        pg, pg_port = start_postgres(work)
        processes.append(pg)
        nginx, nginx_port = start_nginx(work)
        processes.append(nginx)
        body = os.path.join(work, "event.json")
        size = event_body(body)
        pg_destination = (f"{{type: postgres, mode: batch, batch_period_sec: 5, datasource: {{host: 127.0.0.1, port: {pg_port}, "
                          f"db: postgres, username: bench, password: x}}, data_layout: {{table_name_template: ingest_bench}}}}")
        targets = {
            "rivulet -> file (batch)": "{type: file, mode: batch, batch_period_sec: 5}",
            "rivulet -> postgres (batch)": pg_destination,
        }
        rounds = {label: [] for label in [*targets, "nginx (static 200)"]}
        for number in range(1, ROUNDS + 1):
            for label, destination in targets.items():
                name = f"{'file' if 'file' in label else 'pg'}{number}"
                node, port, _ = start(rivulet, os.path.join(work, f"{name}.yaml"), node_yaml(work, name, destination),
                                      os.path.join(work, f"{name}.log"))
                processes.append(node)
                wrk(port, body, 2)
                rounds[label].append(measured_wrk(port, body, DURATION, node.pid))
                node.terminate()
                node.wait()
                settle(os.path.join(work, name), pg_port)
            wrk(nginx_port, body, 2)
            rounds["nginx (static 200)"].append(measured_wrk(nginx_port, body, DURATION, nginx.pid))
            print(f"round {number}: " + ", ".join(f"{label} {rps:.0f} req/s p99 {p99:.2f} ms" for label, runs in rounds.items()
                                                   for rps, p99, _ in runs[-1:]), file=sys.stderr)
        results = {label: (statistics.median(run[0] for run in runs), statistics.median(run[1] for run in runs),
                           [statistics.median(run[2][index] for run in runs) for index in range(4)])
                   for label, runs in rounds.items()}
        ours_copy, psql_copy = copy_comparison(work, pg_port)
    finally:
        stop(processes, work)

    nginx_rps = results["nginx (static 200)"][0]
    print(f"POST /api/v1/s2s/event, {size}-byte event, wrk -t1 -c{CONNECTIONS} -d{DURATION}s, {os.cpu_count()} cores, "
          f"median of {ROUNDS} round{'s' if ROUNDS > 1 else ''}")
    print(f"{'':61}CPU us per request")
    print(f"{'server':32} {'req/s':>10} {'p99 ms':>8} {'vs nginx':>9} {'server':>8} {'postgres':>8} {'wrk':>8} {'machine':>8}")
    missed = False
    for label, (rps, p99, cpu) in results.items():
        ratio = rps / nginx_rps
        verdict = ""
        if label.startswith("rivulet"):
            ok = ratio >= MIN_VS_NGINX and p99 < MAX_P99_MS
            missed |= not ok
            verdict = "PASS" if ok else f"FAIL (targets >= {MIN_VS_NGINX}x, p99 < {MAX_P99_MS} ms)"
        print(f"{label:32} {rps:10.0f} {p99:8.2f} {ratio:8.2f}x " + " ".join(f"{value:8.1f}" for value in cpu) + f" {verdict}")
    ratio = ours_copy / psql_copy
    ok = ratio >= MIN_VS_PSQL
    missed |= not ok
    print(f"\nCOPY of {ROWS} rows into PostgreSQL (best of 3 alternating runs each)")
    print(f"{'rivulet postgres destination':32} {ours_copy:10.0f} rows/s")
    psql_label = "psql \\copy"
    print(f"{psql_label:32} {psql_copy:10.0f} rows/s")
    print(f"{'ratio':32} {ratio:10.2f}x {'PASS' if ok else f'FAIL (target >= {MIN_VS_PSQL}x)'}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
