#!/usr/bin/env bash
# nightly.sh BASE HEAD OUTDIR [KERNEL]
#
# Compares two commits on this machine. On the real kernel it builds the
# bench binary at each (go test -c ./bench/) and runs `runbench ab`: every
# row once on each side per round, back to back in a random order, rows
# shuffled per round, for AB_BUDGET, the verdict from the pairs' ratios.
# On the simulated kernel (no raw clone to pair) it runs runbench at each
# commit interleaved, COUNT runs each, and compares the runs as runs
# (each run's median one replicate).
# Exit status: that of `runbench ab` / `runbench compare` (0 no significant
# regression over the threshold, 1 regression, 2 bad input, 4 machine
# shift), or 3 if a build or run failed.
# Used by .github/workflows/nightly.yml and runnable by hand on a lab machine.
set -uo pipefail
base=${1:?usage: nightly.sh BASE HEAD OUTDIR [real|sim]}
head=${2:?usage: nightly.sh BASE HEAD OUTDIR [real|sim]}
out=${3:?usage: nightly.sh BASE HEAD OUTDIR [real|sim]}
kernel=${4:-real}
count=${COUNT:-10}
suite=${SUITE:-quick}
threshold=${THRESHOLD:-5%}
filter=${RUN:-}
# Each of the 2×COUNT runs measures for about BUDGET; the interleaving,
# not one long run, is what gives benchstat its samples.
budget=${BUDGET:-30s}

top=$(git rev-parse --show-toplevel) || exit 3
mkdir -p "$out" || exit 3
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/base" >/dev/null 2>&1; git -C "$top" worktree remove --force "$work/head" >/dev/null 2>&1; rm -rf "$work"' EXIT

build() { # build NAME REV
	git -C "$top" worktree add --detach --quiet "$work/$1" "$2" || return 1
	if [ ! -d "$work/$1/cmd/runbench" ]; then
		echo "nightly: $2 has no cmd/runbench; nothing to compare" >&2
		return 1
	fi
	(cd "$work/$1" && go build -o "$work/runbench-$1" ./cmd/runbench && go test -c -o "$work/bench-$1.test" ./bench/)
}
build base "$base" || exit 3
build head "$head" || exit 3
echo "nightly: base $(git -C "$top" rev-parse --short "$base"), head $(git -C "$top" rev-parse --short "$head"), kernel=$kernel suite=$suite count=$count" >&2

if [ "$kernel" = real ] && "$work/runbench-head" ab -h 2>/dev/null; then
	abargs=(ab -suite "$suite" -budget "${AB_BUDGET:-10m}" -threshold "$threshold" -o "$out/ab")
	[ -n "$filter" ] && abargs+=(-run "$filter")
	"$work/runbench-head" "${abargs[@]}" "$work/bench-base.test" "$work/bench-head.test" >"$out/compare.txt"
	rc=$?
	if [ -s "$out/ab/b.txt" ]; then
		cp "$out/ab/b.txt" "$out/head.txt"
		"$work/runbench-head" report -o "$out/report" "$out/head.txt" >&2 || echo "nightly: report failed" >&2
	fi
	cat "$out/compare.txt"
	exit $rc
fi

args=(run -suite "$suite" -kernel "$kernel" -count 1 -budget "$budget" -report=false)
[ -n "$filter" ] && args+=(-run "$filter")
for i in $(seq 1 "$count"); do
	for side in base head; do
		echo "nightly: round $i/$count $side" >&2
		"$work/runbench-$side" "${args[@]}" -o "$work/$side-$i.txt" >/dev/null || exit 3
	done
done
cat "$work"/base-*.txt >"$out/base.txt"
cat "$work"/head-*.txt >"$out/head.txt"

"$work/runbench-head" report -o "$out/report" "$out/head.txt" >&2 || echo "nightly: report failed" >&2
# The runs, not their pooled samples, are the replicates.
list() { ls "$work/$1"-*.txt | paste -sd, -; }
"$work/runbench-head" compare -threshold "$threshold" "$(list base)" "$(list head)" >"$out/compare.txt"
rc=$?
cat "$out/compare.txt"
exit $rc
