#!/usr/bin/env bash
# Time a newcomer's first start: clone this repository to a temporary folder, build it (not
# timed), then time `cargo run --release` in a private tmux session until the overview shows
# its figures ("hold 50% of health cost"), and until every year of the sample is in.
#
#   scripts/first-start.sh [runs]     (default 3 runs, each on a fresh clone's sample-data)
#
# Needs git, tmux and cargo; uses CARGO_TARGET_DIR (default ~/.cache/carepath-target, as .ci/run).
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/carepath-target}"
work="$(mktemp -d)"
sock="first-start-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

git clone -q "$repo" "$work/clone"
(cd "$work/clone" && cargo build --release -q)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Seconds from the start of `cargo run --release` until the screen shows $1.
wait_for() {
    local what="$1" start="$2"
    while ! tmux -L "$sock" capture-pane -p -t t 2>/dev/null | grep -q -- "$what"; do
        sleep 0.05
        if (( $(date +%s) - ${start%.*} > 120 )); then echo "timeout"; return; fi
    done
    echo "$(date +%s.%N) - $start" | bc
}

for i in $(seq "$runs"); do
    rm -rf "$work/clone/sample-data/.carepath" # a fresh clone has no workspace
    start="$(date +%s.%N)"
    tmux -L "$sock" new -d -s t -x 100 -y 30 -c "$work/clone" "cargo run --release -q; sleep 30"
    overview="$(wait_for "hold 50% of health cost" "$start")"
    complete="$(wait_for "Years 2018/19 to 2020/21" "$start")"
    echo "run $i: overview figures after ${overview} s; all years after ${complete} s"
    tmux -L "$sock" kill-server 2>/dev/null || true
    sleep 1
done
