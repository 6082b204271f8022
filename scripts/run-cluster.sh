#!/usr/bin/env bash
# Starts the three-node loopback cluster of cluster-configs/ in the foreground, each line prefixed with its node.
# Ctrl-C (or SIGTERM) stops every node gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${RIVULET_BIN:-.build/release/rivulet}
pids=()

stop() {
  trap - INT TERM
  echo "stopping the cluster..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
  exit 0
}
trap stop INT TERM

for node in node1 node2 node3; do
  "$binary" serve --config "cluster-configs/$node.yaml" 2>&1 | sed -u "s/^/[$node] /" &
  pids+=($!)
done

sleep 1
cat <<'TRY'

rivulet is running: three nodes on 127.0.0.1:8001, :8002 and :8003 (admin token dev-admin-token). Try:

  curl http://127.0.0.1:8001/health
  curl -H 'X-Admin-Token: dev-admin-token' http://127.0.0.1:8002/api/v1/cluster
  curl 'http://127.0.0.1:8003/api/v1/cluster?token=dev-admin-token'
  curl -d '{"event_type":"page_view","user":{"id":1}}' 'http://127.0.0.1:8001/api/v1/event?token=js.demo'
  cat data/node1/files/local/page_view.jsonl
  curl http://127.0.0.1:8001/metrics

Ctrl-C stops every node.

TRY
wait
