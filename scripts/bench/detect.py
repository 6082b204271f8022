#!/usr/bin/env python3
"""Failure detection across real `rivulet serve` processes on loopback (the membership issue's loopback figure).

Starts NODES nodes (default 5) with the gossip profile PROFILE (default lan: memberlist's LAN settings; loopback:
memberlist's local settings, as cluster-configs/ use), then TRIALS times (default 10): SIGKILLs one node,
measures the time until every other node stops listing it as alive or suspect in GET /api/v1/cluster, restarts it
and waits until all list it again. Prints each trial, the median and the p99 (nearest rank), beside the target
(p99 under 7 s). Exits 1 when the target is missed, 2 on a setup error. Everything binds 127.0.0.1 on port 0 and
stops with the script.

  scripts/bench/detect.py                      # builds rivulet (release) unless RIVULET_BIN is set
  NODES=3 TRIALS=5 PROFILE=loopback scripts/bench/detect.py
"""
import json, math, os, random, shutil, signal, statistics, sys, tempfile, time, urllib.request

import benchnodes
from benchnodes import binary, fail

NODES = int(os.environ.get("NODES", "5"))
TRIALS = max(1, int(os.environ.get("TRIALS", "10")))
PROFILE = os.environ.get("PROFILE", "lan")
TOKEN = "bench-admin-token"
TARGET_P99 = 7.0
WORK = tempfile.mkdtemp(prefix="rivulet-detect.")
processes = {}


def start(rivulet, name, seed):
    """Starts a node and returns (process, http port, gossip port) once it printed its listening line."""
    return benchnodes.start(
        rivulet, os.path.join(WORK, f"{name}.yaml"),
        f"server: {{name: {name}, host: 127.0.0.1, port: 0, admin_token: {TOKEN}, data_dir: {WORK}/{name}}}\n"
        f"cluster: {{bind: 127.0.0.1:0, seeds: [{seed or ''}], gossip: {{profile: {PROFILE}}}}}\n",
        os.path.join(WORK, f"{name}.log"))


def live_names(port):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/cluster", headers={"X-Admin-Token": TOKEN})
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return {instance["name"] for instance in json.load(response)["instances"]}
    except OSError:
        return set()


def wait(condition, seconds):
    """Polls every 20 ms; returns the seconds it took, or None."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def cleanup(*_):
    for process, _, _ in processes.values():
        if process.poll() is None:
            process.kill()
    shutil.rmtree(WORK, ignore_errors=True)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    rivulet = binary()
    names = [f"n{index}" for index in range(1, NODES + 1)]
    processes["n1"] = start(rivulet, "n1", None)
    seed = f"127.0.0.1:{processes['n1'][2]}"
    for name in names[1:]:
        processes[name] = start(rivulet, name, seed)
    if wait(lambda: all(live_names(processes[n][1]) == set(names) for n in names), 10) is None:
        seen = {n: sorted(live_names(processes[n][1])) for n in names}
        fail(f"the nodes did not all list each other within 10 s: {seen}")

    rng = random.Random(1)
    times = []
    for trial in range(1, TRIALS + 1):
        victim = rng.choice(names[1:])  # n1 stays up as everyone's seed for the restart
        others = [n for n in names if n != victim]
        processes[victim][0].kill()
        processes[victim][0].wait()
        took = wait(lambda: all(victim not in live_names(processes[n][1]) for n in others), 30)
        if took is None:
            fail(f"trial {trial}: {victim} still listed after 30 s")
        times.append(took)
        print(f"trial {trial:2}: killed {victim}, every other node dropped it after {took:.2f} s", flush=True)
        processes[victim] = start(rivulet, victim, seed)
        if wait(lambda: all(live_names(processes[n][1]) == set(names) for n in names), 10) is None:
            fail(f"trial {trial}: the restarted {victim} was not listed everywhere within 10 s")

    ordered = sorted(times)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    verdict = "PASS" if p99 < TARGET_P99 else "FAIL"
    print(f"\n{NODES} processes on loopback, gossip profile {PROFILE}, {TRIALS} crashes (SIGKILL)")
    print(f"detection  median {statistics.median(times):.2f} s   p99 {p99:.2f} s   max {ordered[-1]:.2f} s"
          f"   target p99 < {TARGET_P99:.0f} s   {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        cleanup()
