#!/usr/bin/env bash
# Writes Sources/rivulet/startup.order, the link order of scripts/build-release.sh: every function a node runs from
# its start through a few admin calls and some idle seconds. The linker places these next to each other, so an idle
# node keeps a few megabytes of its code resident instead of most of it.
#
# Run it again after changes to what a node does at start (new modules, routes, libraries). A stale list still links;
# functions it does not name are laid out after the ones it does, and the idle RSS in scripts/bench/http.sh shows
# whether it has drifted. Needs valgrind (apt-get install valgrind). About a minute.
#
#   scripts/startup-order.sh
set -euo pipefail

readonly ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ORDER=$ROOT/Sources/rivulet/startup.order
readonly TOKEN=startup-order-token

fail() {
    echo "startup-order: $*" >&2
    exit 1
}

command -v valgrind >/dev/null || fail "valgrind is missing (apt-get install valgrind)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rivulet-order.XXXXXX")
readonly WORK
NODE_PID=
cleanup() {
    [[ -n $NODE_PID ]] && kill "$NODE_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

"$ROOT/scripts/build-release.sh" --product rivulet >&2
# valgrind cannot read the DWARF of the statically linked binary; the symbol table is all this needs.
objcopy --strip-debug "$("$ROOT/scripts/build-release.sh" --show-bin-path)/rivulet" "$WORK/rivulet"

cat >"$WORK/node.yaml" <<EOF
server:
  name: startup-order
  host: 127.0.0.1
  port: 0
  admin_token: $TOKEN
  data_dir: $WORK/data
cluster:
  bind: 127.0.0.1:0
EOF

env -u RIVULET_ADMIN_TOKEN valgrind --tool=callgrind --demangle=no --compress-strings=no --dump-instr=no \
    --callgrind-out-file="$WORK/callgrind.out" "$WORK/rivulet" serve --config "$WORK/node.yaml" \
    >"$WORK/node.out" 2>"$WORK/node.err" &
NODE_PID=$!

port=
for _ in $(seq 600); do
    port=$(sed -n 's/.* listening http=127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$WORK/node.out")
    [[ -n $port ]] && break
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.err" >&2; fail "the node exited"; }
    sleep 0.1
done
[[ -n $port ]] || fail "the node did not start under valgrind within a minute"

# What the idle RSS figure of scripts/bench/http.sh covers: start, admin calls with a right and a wrong token, idle.
for path in /health /api/v1/cluster /metrics; do
    curl -fsS -o /dev/null -H "X-Admin-Token: $TOKEN" "http://127.0.0.1:$port$path"
done
curl -sS -o /dev/null -H "X-Admin-Token: wrong" "http://127.0.0.1:$port/api/v1/cluster"
sleep 10

kill -TERM "$NODE_PID"
wait "$NODE_PID" || true
NODE_PID=

# Each `fn=` block follows the `ob=` line of the object it belongs to; keep the binary's own functions. What counts
# is which functions are together, not their order among themselves, so they are sorted: the file then changes
# only where the set does.
python3 - "$WORK/callgrind.out" "$WORK/rivulet" "$ORDER" <<'PY'
import sys

profile, binary, order = sys.argv[1:]
seen, current = set(), None
with open(profile) as lines:
    for line in lines:
        if line.startswith("ob="):
            current = line[3:].strip()
        elif line.startswith("fn=") and current == binary:
            seen.add(line[3:].strip())
if len(seen) < 1000:
    sys.exit(f"startup-order: only {len(seen)} functions in the profile; refusing to write {order}")
with open(order, "w") as out:
    out.write("\n".join(sorted(seen)) + "\n")
print(f"startup-order: {len(seen)} functions written to {order}", file=sys.stderr)
PY
# SwiftPM does not know the link reads the list: remove the binary so that the next build links it again.
rm -f "$("$ROOT/scripts/build-release.sh" --show-bin-path)/rivulet"
