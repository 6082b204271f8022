"""What the benchmarks that run real `rivulet serve` processes share: the binary, starting a node, failing setup."""
import os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(message):
    """Reports a setup error of the running benchmark and exits 2 (1 is kept for a missed target)."""
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr)
    sys.exit(2)


def binary():
    """RIVULET_BIN, or the release build of rivulet, built first."""
    path = os.environ.get("RIVULET_BIN")
    if path:
        return path
    subprocess.run(["swift", "build", "-c", "release", "--product", "rivulet"], cwd=ROOT, check=True, stdout=sys.stderr)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
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
