#!/usr/bin/env python3
"""Replicated admin map and forwarding across three real `rivulet serve` processes on loopback (cluster state issue).

1. Convergence: RUNS times (default 3), on a fresh three-node cluster, writes RECORDS records (default 10,000) on
   node1 over PUT /api/v1/state/{key} (WRITERS keep-alive connections in parallel), then measures the time from the
   last acknowledged write until node2 and node3 report as many records, and the bytes the three nodes exchanged
   (gossip packets plus state-sync streams, from /metrics). Prints the median and max time, and the bytes beside
   what sending the whole map to both other nodes would cost (the reference a naive full-state push is); then the
   bytes exchanged for 10 more records on the full map, which should follow those 10, not the map's size.
2. Forwarding: wrk for DURATION seconds (default 10) on GET /api/v1/nodes/node2 sent to node1 (forwarded) and to
   node2 itself (direct); prints p50 and p99 side by side and checks the target: forwarding adds under 1 ms at p50.

The nodes run with a cluster secret, as in production: gossip is encrypted and forwarded calls are signed.
Exits 1 when a target is missed, 2 on a setup error. Everything binds 127.0.0.1 on port 0 and stops with the script.

  scripts/bench/state.py                      # builds rivulet (release) unless RIVULET_BIN is set
  RECORDS=2000 RUNS=1 DURATION=5 scripts/bench/state.py
"""
import http.client, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

import benchnodes
from benchnodes import binary, fail

RECORDS = int(os.environ.get("RECORDS", "10000"))
RUNS = max(1, int(os.environ.get("RUNS", "3")))
WRITERS = int(os.environ.get("WRITERS", "16"))
CHANGES = 10
DURATION = int(os.environ.get("DURATION", "10"))
TOKEN = "bench-admin-token"
# As a production cluster runs: gossip encrypted and forwarded calls signed.
SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
TARGET_FORWARD_P50_MS = 1.0
WORK = tempfile.mkdtemp(prefix="rivulet-state.")
processes = []


def start(rivulet, run, name, seed):
    """Starts a node; returns (process, HTTP port, gossip port) once it printed its listening line."""
    started = benchnodes.start(
        rivulet, os.path.join(WORK, f"{run}-{name}.yaml"),
        f"server: {{name: {name}, host: 127.0.0.1, port: 0, admin_token: {TOKEN}, data_dir: {WORK}/{run}/{name}}}\n"
        f"cluster: {{bind: 127.0.0.1:0, seeds: [{seed or ''}], secret: {SECRET}, gossip: {{profile: loopback}}}}\n"
        f"logging: {{level: warning}}\n",
        os.path.join(WORK, f"{run}-{name}.log"))
    processes.append(started[0])
    return started


def call(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers={"X-Admin-Token": TOKEN})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def record_count(port, name):
    status, body = call(port, "GET", f"/api/v1/nodes/{name}")
    return json.loads(body)["state"]["records"] if status == 200 else -1


def exchanged_bytes(port):
    """Gossip bytes sent plus state-sync bytes sent by one node, from its Prometheus metrics."""
    _, body = call(port, "GET", "/metrics")
    total = 0
    for line in body.decode().splitlines():
        if line.startswith("rivulet_gossip_bytes_out_total") or line.startswith("rivulet_state_sync_bytes_total"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def cluster(rivulet, run):
    nodes = []
    for index in range(3):
        name = f"node{index + 1}"
        process, http_port, gossip_port = start(rivulet, run, name, f"127.0.0.1:{nodes[0][3]}" if nodes else None)
        nodes.append((name, process, http_port, gossip_port))
    deadline = time.time() + 10
    while time.time() < deadline:
        _, body = call(nodes[0][2], "GET", "/api/v1/cluster")
        if len(json.loads(body)["instances"]) == 3:
            return nodes
        time.sleep(0.05)
    fail("the three nodes did not join")


def write_all(port, count, start=0):
    """PUTs records start..<count over WRITERS keep-alive connections; returns the number of failures."""
    failures = []

    def writer(offset):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for index in range(start + offset, count, WRITERS):
            body = json.dumps({"id": index, "name": f"connector-{index}", "topics": ["events"], "config": {"bucket": "b", "prefix": "p"}})
            connection.request("PUT", f"/api/v1/state/bench%2F{index}", body=body, headers={"X-Admin-Token": TOKEN})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
        connection.close()

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(failures)


def wait_for_agreement(port2, port3, count, since):
    while record_count(port2, "node2") < count or record_count(port3, "node3") < count:
        if time.time() - since > 120:
            fail("node2 and node3 did not get every record within 120 s")
        time.sleep(0.01)
    return time.time() - since


def convergence(rivulet):
    times, exchanged, incremental = [], [], []
    map_bytes = 0
    for run in range(RUNS):
        nodes = cluster(rivulet, run)
        (_, _, port1, _), (_, _, port2, _), (_, _, port3, _) = nodes
        before = sum(exchanged_bytes(port) for port in (port1, port2, port3))
        started = time.time()
        failures = write_all(port1, RECORDS)
        written = time.time()
        if failures:
            fail(f"{failures} writes failed")
        agreed = wait_for_agreement(port2, port3, RECORDS, written)
        time.sleep(0.5)  # Let the last sync sessions finish before reading the counters.
        after = sum(exchanged_bytes(port) for port in (port1, port2, port3))
        _, body = call(port1, "GET", "/api/v1/state?prefix=bench/")
        map_bytes = len(body)
        times.append(agreed)
        exchanged.append(after - before)
        # Then CHANGES new records on the full map: what a sync costs should follow them, not the map's size.
        write_all(port1, RECORDS + CHANGES, start=RECORDS)
        wait_for_agreement(port2, port3, RECORDS + CHANGES, time.time())
        time.sleep(0.5)
        incremental.append(sum(exchanged_bytes(port) for port in (port1, port2, port3)) - after)
        print(f"  run {run + 1}: {RECORDS} writes in {written - started:.2f} s ({RECORDS / (written - started):.0f}/s); "
              f"all nodes agree {agreed * 1000:.0f} ms after the last write; {(after - before) / 1e6:.2f} MB exchanged")
        for _, process, _, _ in nodes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
    return times, exchanged, incremental, map_bytes


def wrk(port, duration):
    output = subprocess.run(["wrk", "-t1", "-c8", f"-d{duration}s", "--latency", "-H", f"X-Admin-Token: {TOKEN}",
                             f"http://127.0.0.1:{port}/api/v1/nodes/node2"], check=True, capture_output=True, text=True).stdout
    def millis(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return millis("50"), millis("99"), rate


def forwarding(rivulet):
    if shutil.which("wrk") is None:
        fail("wrk is not installed (scripts/install-deps.sh bench)")
    nodes = cluster(rivulet, "forward")
    direct = wrk(nodes[1][2], DURATION)
    forwarded = wrk(nodes[0][2], DURATION)
    for _, process, _, _ in nodes:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    return direct, forwarded


def main():
    rivulet = binary()
    status = 0
    try:
        print(f"convergence: {RECORDS} records written on node1 of three, {RUNS} runs")
        times, exchanged, incremental, map_bytes = convergence(rivulet)
        full_push = 2 * map_bytes
        print(f"{'':28}{'median':>12}{'max':>12}")
        print(f"{'time to agree (ms)':28}{statistics.median(times) * 1000:>12.0f}{max(times) * 1000:>12.0f}")
        print(f"{'bytes exchanged (MB)':28}{statistics.median(exchanged) / 1e6:>12.2f}{max(exchanged) / 1e6:>12.2f}")
        print(f"{'reference: map x2 (MB)':28}{full_push / 1e6:>12.2f}   (the map's JSON sent whole to both other nodes)")
        print(f"{f'then {CHANGES} more records (KB)':28}{statistics.median(incremental) / 1e3:>12.1f}{max(incremental) / 1e3:>12.1f}"
              f"   (vs {full_push / 1e3:.0f} KB for the whole map twice)")

        print(f"\nforwarding: wrk -c8 {DURATION}s on GET /api/v1/nodes/node2")
        direct, forwarded = forwarding(rivulet)
        print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
        print(f"{'direct (node2)':28}{direct[0]:>10.3f}{direct[1]:>10.3f}{direct[2]:>10.0f}")
        print(f"{'forwarded (node1 -> node2)':28}{forwarded[0]:>10.3f}{forwarded[1]:>10.3f}{forwarded[2]:>10.0f}")
        added = forwarded[0] - direct[0]
        verdict = "PASS" if added < TARGET_FORWARD_P50_MS else "FAIL"
        print(f"forwarding adds {added:.3f} ms at p50 (target < {TARGET_FORWARD_P50_MS} ms): {verdict}")
        if verdict == "FAIL":
            status = 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
