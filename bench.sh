#!/bin/sh
# Runs every Go benchmark of the project and saves the output to
# reports/bench.new.txt (reports/ is git-ignored). With benchstat installed and
# a previous run saved (reports/bench.old.txt, or BENCH_OLD=file), it prints
# the comparison too. Extra arguments go to `go test`: ./bench.sh -count=6
#   make bench; mv reports/bench.new.txt reports/bench.old.txt
#   <change the code>; make bench      # now with the comparison
set -eu
cd "$(dirname "$0")"
mkdir -p reports
out=${BENCH_OUT:-reports/bench.new.txt}
old=${BENCH_OLD:-reports/bench.old.txt}
go test -run '^$' -bench . -benchmem "$@" ./... | tee "$out"
if command -v benchstat >/dev/null 2>&1 && [ -f "$old" ]; then
	echo
	benchstat "$old" "$out"
elif [ -f "$old" ]; then
	echo "benchstat not installed (go install golang.org/x/perf/cmd/benchstat@latest) to compare with $old" >&2
fi
