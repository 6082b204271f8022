#!/usr/bin/env python3
"""Analytics connector benchmark (issue figures), in one run on this machine against moto's S3 server:

1. Throughput: EVENTS telemetry events (default 200,000, ~200 bytes each) posted to one node in batches of 500 by
   4 client threads, with one KAFKA_S3 connector (flushSize 10000) on their topic; timed from the first post until
   the connector's status counts every event written to S3. Beside it, boto3 writing the same JSON lines (read back
   from the connector's objects) to the same server, 10,000 lines an object, in one run.
2. Lag at steady state: RATE events/s (default 2,000) for SECONDS (default 20); for each flush, the time from
   posting its last event to the status counting it written (ingest, topic log, flush, PUT), and the mean lag of
   all events (which adds the wait for the flush to fill: flushSize / RATE).

    scripts/bench/connectors.py
    EVENTS=50000 RATE=1000 scripts/bench/connectors.py
No target to pass: the figures go into the issue's closing note. Exits 2 on a setup error."""
import json, os, statistics, subprocess, sys, tempfile, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchnodes import binary, fail, free_port, start, stop

EVENTS = int(os.environ.get("EVENTS", "200000"))
RATE = int(os.environ.get("RATE", "2000"))
SECONDS = int(os.environ.get("SECONDS", "20"))
FLUSH = 10_000
BATCH = 500


def call(port, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"X-Admin-Token": "bench", **(headers or {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def events(first, count, topic):
    return json.dumps([{"EventNamespace": "game1", "EventName": topic, "n": n, "sent": time.time(),
                        "Payload": {"user": f"user-{n % 1000}", "score": n % 977, "map": "dust", "mode": "ranked"}}
                       for n in range(first, first + count)]).encode()


def post(port, first, count, topic):
    call(port, "POST", f"/api/v1/telemetry/game_telemetry?token=bench.s2s", events(first, count, topic),
         {"Content-Type": "application/json"})


def delivered(port, connector):
    return sum(task.get("delivered", 0) for task in call(port, "GET", f"/analytics-connector/v1/admin/connectors/{connector}/status")["tasks"])


def create_connector(port, name, topic, bucket, endpoint):
    return call(port, "POST", "/analytics-connector/v1/admin/connectors", {
        "connectorName": name, "connectorType": "SINK", "storageType": "KAFKA_S3",
        "config": {"bucketName": bucket, "region": "us-east-1", "endpoint": endpoint, "accessKeyId": "bench",
                   "secretAccessKey": "bench", "flushInterval": "1", "flushSize": str(FLUSH), "eventType": "game_telemetry"},
        "filter": {"game1": [topic]}})["id"]


def throughput(port, connector):
    """Posts EVENTS from 4 threads; returns events/s from the first post to the last event written."""
    batches = list(range(0, EVENTS, BATCH))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not batches:
                    return
                first = batches.pop(0)
            post(port, first, min(BATCH, EVENTS - first), "match")

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ingested = time.monotonic()
    while delivered(port, connector) < EVENTS:
        time.sleep(0.02)
    finished = time.monotonic()
    return EVENTS / (finished - started), EVENTS / (ingested - started)


def steady_lag(port, connector):
    """Posts RATE events/s in batches of 100 for SECONDS; returns the lags of flushes' last events (ms) and the mean lag of all events."""
    sent_at = {}
    stop_flag = threading.Event()
    reached = {}

    def watch():
        while not stop_flag.is_set():
            count = delivered(port, connector)
            now = time.monotonic()
            for mark in range(FLUSH, count + 1, FLUSH):
                reached.setdefault(mark, now)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    total = (RATE * SECONDS) // FLUSH * FLUSH
    started = time.monotonic()
    for first in range(0, total, 100):
        target = started + first / RATE
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        post(port, first, 100, "lag")
        sent_at[first + 100] = time.monotonic()
    deadline = time.monotonic() + 30
    while len(reached) < total // FLUSH and time.monotonic() < deadline:
        time.sleep(0.05)
    stop_flag.set()
    watcher.join()
    flush_lags = [(reached[mark] - sent_at[mark]) * 1000 for mark in sorted(reached) if mark in sent_at]
    # Every event of a flush waited from its own post to the flush: the batch of 100 ending at `n` was posted at sent_at[n].
    event_lags = [(reached[(n - 1) // FLUSH * FLUSH + FLUSH] - at) * 1000 for n, at in sent_at.items() if (n - 1) // FLUSH * FLUSH + FLUSH in reached]
    return flush_lags, statistics.mean(event_lags) if event_lags else float("nan")


def main():
    try:
        import boto3
    except ImportError:
        fail("boto3 is missing (pip install 'moto[server]' boto3)")
    rivulet = binary()
    work = tempfile.mkdtemp(prefix="rivulet-connectors-")
    processes = []
    try:
        moto_port = free_port()
        moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(moto)
        endpoint = f"http://127.0.0.1:{moto_port}"
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")
        for _ in range(100):
            try:
                s3.create_bucket(Bucket="connector")
                break
            except Exception:
                time.sleep(0.1)
        else:
            fail("moto did not start")
        s3.create_bucket(Bucket="direct")
        yaml = f"""server: {{name: bench, host: 127.0.0.1, port: 0, admin_token: bench, data_dir: {work}/bench}}
cluster: {{bind: 127.0.0.1:0}}
api_keys: [{{id: bench, server_secret: bench.s2s}}]
logging: {{level: warning}}
"""
        node, port, _ = start(rivulet, f"{work}/bench.yaml", yaml, f"{work}/bench.log")
        processes.append(node)
        connector = create_connector(port, "throughput", "match", "connector", endpoint)
        ours, ingest_rate = throughput(port, connector)

        # The same lines, straight to the same server with boto3: 10,000 lines an object.
        bodies = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="connector"):
            for item in page.get("Contents", []):
                bodies.append(s3.get_object(Bucket="connector", Key=item["Key"])["Body"].read())
        lines = b"".join(bodies).splitlines(keepends=True)
        if len(lines) != EVENTS:
            fail(f"the connector wrote {len(lines)} lines, not {EVENTS}")
        started = time.monotonic()
        for index, first in enumerate(range(0, EVENTS, FLUSH)):
            s3.put_object(Bucket="direct", Key=f"direct/{index:06}.json", Body=b"".join(lines[first:first + FLUSH]))
        theirs = EVENTS / (time.monotonic() - started)

        lag_connector = create_connector(port, "lag", "lag", "connector", endpoint)
        flush_lags, mean_event_lag = steady_lag(port, lag_connector)
    finally:
        stop(processes, work)

    print(f"one node, one KAFKA_S3 connector (flushSize {FLUSH}), moto's S3 server, {os.cpu_count()} cores")
    print(f"{'':52} {'events/s':>10} {'vs boto3':>9}")
    print(f"{'boto3 put_object, the same lines, 10,000 an object':52} {theirs:10.0f} {1:8.2f}x")
    print(f"{'rivulet: POST -> topic log -> S3 object':52} {ours:10.0f} {ours / theirs:8.2f}x")
    print(f"{'  (ingestion alone, 4 clients x 500-event posts)':52} {ingest_rate:10.0f}")
    if flush_lags:
        ordered = sorted(flush_lags)
        print(f"steady state at {RATE} events/s for {SECONDS} s ({len(flush_lags)} flushes): last event of a flush to its object "
              f"p50 {statistics.median(ordered):.0f} ms, max {ordered[-1]:.0f} ms; mean lag of every event {mean_event_lag:.0f} ms "
              f"(includes filling the flush: {FLUSH / RATE * 1000 / 2:.0f} ms on average)")
    else:
        print("steady state: no flush completed")


if __name__ == "__main__":
    main()
