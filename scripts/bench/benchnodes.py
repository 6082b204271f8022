"""What the benchmarks that run real `rivulet serve` processes share: the binary, starting a node, failing setup."""
import os, re, shutil, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Every release build goes through this script (one set of flags, one build directory).
BUILD_RELEASE = os.path.join(ROOT, "scripts", "build-release.sh")


def fail(message):
    """Reports a setup error of the running benchmark and exits 2 (1 is kept for a missed target)."""
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    sys.exit(2)


def binary():
    """RIVULET_BIN, or the release build of rivulet, built first."""
    path = os.environ.get("RIVULET_BIN")
    if path:
        return path
    subprocess.run([BUILD_RELEASE, "--product", "rivulet"], check=True, stdout=sys.stderr)
    bin_dir = subprocess.run([BUILD_RELEASE, "--show-bin-path"], check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_dir, "rivulet")


def start(rivulet, config, yaml, log):
    """Writes `yaml` to `config`, starts a node on it with stderr appended to `log`, and returns (process, http port,
    gossip port) once the node printed its listening line."""
    with open(config, "w") as file:
        file.write(yaml)
    with open(log, "a") as log_file:
        process = subprocess.Popen([rivulet, "serve", "--config", config], stdout=subprocess.PIPE, stderr=log_file, text=True)
    line = process.stdout.readline()
    match = re.search(r"http=127\.0\.0\.1:(\d+) gossip=127\.0\.0\.1:(\d+)", line)
    if not match:
        process.kill()
        fail(f"the node of {config} did not start: {line!r}; log in {log}")
    return process, int(match.group(1)), int(match.group(2))


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def as_postgres(command):
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user the Debian package creates."""
    return ["runuser", "-u", "postgres", "--"] + command if os.getuid() == 0 else command


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_postgres(work):
    versions = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: int(v.split(".")[0])) if os.path.isdir("/usr/lib/postgresql") else []
    if not versions:
        fail("PostgreSQL is missing (apt-get install postgresql)")
    bin_dir = f"/usr/lib/postgresql/{versions[-1]}/bin"
    data = os.path.join(work, "pg")
    os.makedirs(data)
    if os.getuid() == 0:
        shutil.chown(work, "postgres")
        shutil.chown(data, "postgres")
    run(as_postgres([f"{bin_dir}/initdb", "-D", data, "-U", "bench", "--auth=trust"]))
    port = free_port()
    process = subprocess.Popen(as_postgres([f"{bin_dir}/postgres", "-D", data, "-p", str(port), "-k", data,
                                            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if subprocess.run([f"{bin_dir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True).returncode == 0:
            return process, port
        time.sleep(0.1)
    fail("PostgreSQL did not start")


def stop(processes, work):
    """Stops the benchmark's processes (SIGTERM, SIGKILL after 10 s) and removes its work directory."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    shutil.rmtree(work, ignore_errors=True)
