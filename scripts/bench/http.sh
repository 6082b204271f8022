#!/usr/bin/env bash
# HTTP benchmark of `GET /api/v1/cluster` (the foundation issue's targets): rivulet, a Hummingbird 2 app serving the
# same route (Benchmarks/hummingbird-baseline) and nginx returning the same bytes, measured in one run with wrk on
# loopback. Prints req/s, p99 latency and RSS side by side, the ratios, and PASS/FAIL per target; exits 1 on a FAIL.
#
#   scripts/bench/http.sh                  # 30 s per server, as the issue asks
#   DURATION=5 WARMUP=1 scripts/bench/http.sh
#   RIVULET_BIN=/path/to/rivulet scripts/bench/http.sh
#
# DURATION (s, default 30) and WARMUP (s, default 3) are per server. RIVULET_BIN skips building rivulet, for when
# another build holds .build (build it with `scripts/build-release.sh --product rivulet --scratch-path .build-bench`).
set -euo pipefail

readonly ROOT=$(cd "$(dirname "$0")/../.." && pwd)
readonly DURATION=${DURATION:-30}
readonly WARMUP=${WARMUP:-3}
readonly CONNECTIONS=64
readonly TOKEN=bench-admin-token
readonly NAME=bench
readonly REFUSAL='{"message":"Admin token does not match"}'
readonly ROUTE=/api/v1/cluster
readonly NGINX=${NGINX:-/usr/sbin/nginx}

# The issue's targets.
readonly MIN_VS_HUMMINGBIRD=1.2
readonly MIN_VS_NGINX=0.5
readonly MAX_P99_MS=2
readonly MAX_IDLE_RSS_MB=20

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rivulet-bench.XXXXXX")
readonly WORK
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "http.sh: $*" >&2
    exit 2
}

# Prints what a server wrote, so a failed start explains itself before the temp folder goes.
show_logs() {
    local file
    for file in "$WORK"/*.out "$WORK"/*.err "$WORK"/nginx/error.log; do
        [[ -s $file ]] && { echo "--- $file" >&2; cat "$file" >&2; }
    done
    return 0
}

# Waits for the "listening http=HOST:PORT" line both Swift servers print once bound, then prints PORT.
wait_for_port() {
    local label=$1 pid=$2 out=$3 deadline=$((SECONDS + 30)) line
    while ((SECONDS < deadline)); do
        line=$(grep -m1 -o 'listening http=[^ ]*' "$out" || true)
        if [[ -n $line ]]; then
            echo "${line##*:}"
            return
        fi
        kill -0 "$pid" 2>/dev/null || { show_logs; fail "$label exited before listening"; }
        sleep 0.1
    done
    show_logs
    fail "$label did not print its listening line within 30 s"
}

# nginx prints nothing when bound, so poll the route until it answers.
wait_for_http() {
    local label=$1 pid=$2 port=$3 deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        curl -fs -o /dev/null -H "X-Admin-Token: $TOKEN" "http://127.0.0.1:$port$ROUTE" && return
        kill -0 "$pid" 2>/dev/null || { show_logs; fail "$label exited before answering"; }
        sleep 0.1
    done
    show_logs
    fail "$label did not answer within 30 s"
}

# nginx cannot bind port 0 and report it, so take a port the kernel just handed out as free.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

rss_mb() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# The three must be equivalent for the comparison to mean anything: the same JSON with the token (key order may
# differ between encoders), a 401 without it.
check_route() {
    local label=$1 port=$2 body status
    body=$(curl -fsS -H "X-Admin-Token: $TOKEN" "http://127.0.0.1:$port$ROUTE")
    python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$body" "$BODY" ||
        fail "$label answered '$body', expected '$BODY'"
    status=$(curl -s -o "$WORK/refusal" -w '%{http_code}' -H 'X-Admin-Token: wrong' "http://127.0.0.1:$port$ROUTE")
    [[ $status == 401 && $(cat "$WORK/refusal") == "$REFUSAL" ]] ||
        fail "$label answered $status '$(cat "$WORK/refusal")' to a wrong token, expected 401 '$REFUSAL'"
}

# Runs wrk against PORT and prints "REQ_PER_SEC P99_MS"; a run with errors or non-2xx answers is not a result.
measure() {
    local label=$1 port=$2 seconds=$3 report
    report=$(wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency -H "X-Admin-Token: $TOKEN" \
        "http://127.0.0.1:$port$ROUTE")
    if grep -qE 'Non-2xx|Socket errors' <<<"$report"; then
        echo "$report" >&2
        fail "$label: wrk reported errors"
    fi
    # wrk prints the 99th percentile with its own unit (us, ms or s); normalise to ms.
    awk '
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" {
            value = $2 + 0
            if ($2 ~ /us$/) p99 = value / 1000
            else if ($2 ~ /ms$/) p99 = value
            else if ($2 ~ /s$/) p99 = value * 1000
        }
        END { if (rps == "" || p99 == "") exit 1; printf "%.0f %.3f\n", rps, p99 }
    ' <<<"$report" || { echo "$report" >&2; fail "$label: cannot parse wrk's report"; }
}

command -v wrk >/dev/null || fail "wrk is missing (apt-get install wrk)"
[[ -x $NGINX ]] || fail "$NGINX is missing (apt-get install nginx)"

if [[ -z ${RIVULET_BIN:-} ]]; then
    echo "building rivulet (release)" >&2
    "$ROOT/scripts/build-release.sh" --product rivulet >&2
    RIVULET_BIN="$("$ROOT/scripts/build-release.sh" --show-bin-path)/rivulet"
fi
[[ -x $RIVULET_BIN ]] || fail "no rivulet binary at $RIVULET_BIN"

readonly BASELINE_PACKAGE=$ROOT/Benchmarks/hummingbird-baseline
echo "building the Hummingbird baseline (release)" >&2
swift build -c release --package-path "$BASELINE_PACKAGE" >&2
readonly BASELINE_BIN="$(swift build -c release --package-path "$BASELINE_PACKAGE" --show-bin-path)/hummingbird-baseline"

# Gossip binds port 0 so the benchmark never collides with a node already running on this machine.
cat >"$WORK/rivulet.yaml" <<EOF
server:
  name: $NAME
  host: 127.0.0.1
  port: 0
  admin_token: $TOKEN
  data_dir: $WORK/rivulet-data
cluster:
  bind: 127.0.0.1:0
EOF

# A token in the caller's environment would override the config's and turn every request into a 401.
env -u RIVULET_ADMIN_TOKEN "$RIVULET_BIN" serve --config "$WORK/rivulet.yaml" >"$WORK/rivulet.out" 2>"$WORK/rivulet.err" &
PIDS+=($!)
readonly RIVULET_PID=$!
RIVULET_PORT=$(wait_for_port rivulet "$RIVULET_PID" "$WORK/rivulet.out")
# rivulet's live view (this node alone, with its gossip and HTTP addresses) is what the other two serve too.
BODY=$(curl -fsS -H "X-Admin-Token: $TOKEN" "http://127.0.0.1:$RIVULET_PORT$ROUTE")
readonly BODY
INSTANCES=$(python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])["instances"]))' "$BODY")

INSTANCES=$INSTANCES "$BASELINE_BIN" 0 "$TOKEN" >"$WORK/hummingbird.out" 2>"$WORK/hummingbird.err" &
PIDS+=($!)
readonly HUMMINGBIRD_PID=$!
HUMMINGBIRD_PORT=$(wait_for_port hummingbird "$HUMMINGBIRD_PID" "$WORK/hummingbird.out")

# One process (no master, no daemon) so it is stopped like the others, and no access log: neither Swift server logs
# per request at its default level. The map applies rivulet's rule: the `token` query parameter, else the header.
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    map \$arg_token \$presented_token {
        "" \$http_x_admin_token;
        default \$arg_token;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = $ROUTE {
            default_type application/json;
            if (\$presented_token != "$TOKEN") {
                return 401 '$REFUSAL';
            }
            return 200 '$BODY';
        }
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" >"$WORK/nginx.out" 2>"$WORK/nginx.err" &
PIDS+=($!)
readonly NGINX_PID=$!
wait_for_http nginx "$NGINX_PID" "$NGINX_PORT"

check_route rivulet "$RIVULET_PORT"
check_route hummingbird "$HUMMINGBIRD_PORT"
check_route nginx "$NGINX_PORT"

declare -A PORT=([rivulet]=$RIVULET_PORT [hummingbird]=$HUMMINGBIRD_PORT [nginx]=$NGINX_PORT)
declare -A PID=([rivulet]=$RIVULET_PID [hummingbird]=$HUMMINGBIRD_PID [nginx]=$NGINX_PID)
declare -A RPS P99 IDLE_RSS LOADED_RSS
readonly SERVERS=(rivulet hummingbird nginx)

# Idle RSS is read after the route checks above and before any load, as the issue defines it.
for server in "${SERVERS[@]}"; do
    IDLE_RSS[$server]=$(rss_mb "${PID[$server]}")
done

for server in "${SERVERS[@]}"; do
    echo "warming up $server (${WARMUP} s), then measuring (${DURATION} s)" >&2
    measure "$server" "${PORT[$server]}" "$WARMUP" >/dev/null
    result=$(measure "$server" "${PORT[$server]}" "$DURATION")
    read -r "RPS[$server]" "P99[$server]" <<<"$result"
    LOADED_RSS[$server]=$(rss_mb "${PID[$server]}")
done

verdict() {
    awk -v value="$1" -v op="$2" -v limit="$3" 'BEGIN {
        ok = (op == ">=") ? value >= limit : value < limit
        print ok ? "PASS" : "FAIL"
    }'
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

VS_HUMMINGBIRD=$(ratio "${RPS[rivulet]}" "${RPS[hummingbird]}")
VS_NGINX=$(ratio "${RPS[rivulet]}" "${RPS[nginx]}")
RESULTS=(
    "$(verdict "$VS_HUMMINGBIRD" ">=" "$MIN_VS_HUMMINGBIRD")"
    "$(verdict "$VS_NGINX" ">=" "$MIN_VS_NGINX")"
    "$(verdict "${P99[rivulet]}" "<" "$MAX_P99_MS")"
    "$(verdict "${IDLE_RSS[rivulet]}" "<" "$MAX_IDLE_RSS_MB")"
)

echo
echo "GET $ROUTE, wrk -t1 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores"
printf '%-12s %10s %9s %14s %16s\n' server "req/s" "p99 ms" "idle RSS MiB" "loaded RSS MiB"
for server in "${SERVERS[@]}"; do
    printf '%-12s %10s %9s %14s %16s\n' "$server" "${RPS[$server]}" "${P99[$server]}" \
        "${IDLE_RSS[$server]}" "${LOADED_RSS[$server]}"
done
echo
printf '%-34s %8s   %-8s %s\n' "rivulet / hummingbird req/s" "${VS_HUMMINGBIRD}x" ">= ${MIN_VS_HUMMINGBIRD}x" "${RESULTS[0]}"
printf '%-34s %8s   %-8s %s\n' "rivulet / nginx req/s" "${VS_NGINX}x" ">= ${MIN_VS_NGINX}x" "${RESULTS[1]}"
printf '%-34s %8s   %-8s %s\n' "rivulet p99 (ms)" "${P99[rivulet]}" "< ${MAX_P99_MS}" "${RESULTS[2]}"
printf '%-34s %8s   %-8s %s\n' "rivulet idle RSS (MiB)" "${IDLE_RSS[rivulet]}" "< ${MAX_IDLE_RSS_MB}" "${RESULTS[3]}"

[[ " ${RESULTS[*]} " != *" FAIL "* ]]
