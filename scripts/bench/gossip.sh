#!/usr/bin/env bash
# Membership benchmark (the gossip issue's targets): builds gossip-bench in release mode and runs it. It simulates
# clusters of 10, 100 and 1000 members at 0% and 5% datagram loss on virtual time with fixed seeds, and prints
# crash detection (median and max) beside memberlist's bound for the same settings, the rounds one update needs to
# reach every member, messages and bytes per member per second, false deaths, and PASS/FAIL per target; exits 1 on
# a FAIL. About three minutes on two cores.
#
#   scripts/bench/gossip.sh
set -euo pipefail

readonly ROOT=$(cd "$(dirname "$0")/../.." && pwd)

echo "building gossip-bench (release)" >&2
"$ROOT/scripts/build-release.sh" --product gossip-bench >&2
"$("$ROOT/scripts/build-release.sh" --show-bin-path)/gossip-bench"
