#!/usr/bin/env bash
# Every release build (make run, the benchmarks, the Docker image) goes through here, so that they share one build
# directory and one set of flags. Arguments go on to `swift build`:
#
#   scripts/build-release.sh --product rivulet
#   scripts/build-release.sh --show-bin-path
#
# The flags keep an idle node's memory small. Nearly all of it is file pages of code: the kernel maps up to 64 KiB
# around each page a process first touches, so code run at start that is scattered across the binary keeps most of
# the binary resident.
#   --static-swift-stdlib      The Swift runtime and Foundation are linked in, and only the parts used: a Foundation
#                              "hello world" is 15.6 MiB resident when linked dynamically, 5.0 MiB statically.
#   -function-sections         Each Swift function in its own section, so that the linker can place them one by one.
#   --symbol-ordering-file     Puts the functions a node runs at start and while idle next to each other
#                              (Sources/rivulet/startup.order, written by scripts/startup-order.sh).
#   pack-relative-relocs       Relative relocations as a bitmap (DT_RELR): the dynamic loader reads kilobytes of
#                              them at start instead of megabytes.
#   --no-export-dynamic        No dynamic symbol table for the node's own symbols; nothing looks them up, and every
#                              symbol lookup of the shared libraries at start would walk it.
set -euo pipefail

readonly ROOT=$(cd "$(dirname "$0")/.." && pwd)

# Both ship with swift.org's Linux toolchains; a distribution's Swift package may leave them out.
RESOURCES=$(swift -print-target-info | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p')
for needed in "$RESOURCES/../../bin/ld.lld" "$RESOURCES/../swift_static/linux/libFoundation.a"; do
    [[ -e $needed ]] || { echo "build-release: $needed is missing; use a swift.org toolchain" >&2; exit 1; }
done

exec swift build -c release --package-path "$ROOT" --static-swift-stdlib \
    -Xswiftc -Xfrontend -Xswiftc -function-sections \
    -Xswiftc -use-ld=lld \
    -Xlinker -z -Xlinker pack-relative-relocs \
    -Xlinker --no-export-dynamic \
    -Xlinker "--symbol-ordering-file=$ROOT/Sources/rivulet/startup.order" -Xlinker --no-warn-symbol-ordering \
    "$@"
