#!/bin/sh
# Runs every Go benchmark of the project and saves the output to
# reports/bench.new.txt (reports/ is git-ignored). With benchstat installed and
# a previous run saved (reports/bench.old.txt, or BENCH_OLD=file), it prints
# the comparison too. Extra arguments go to `go test`: ./bench.sh -count=6
#   make bench; mv reports/bench.new.txt reports/bench.old.txt
#   <change the code>; make bench      # now with the comparison
#
# ./bench.sh proxy runs only what the proxy costs (README.md, "The proxy as a
# CI gate"): direct calls to the reference and calls through the proxy side by
# side in one run (BenchmarkProxyOverhead, 1 and 100 jobs), and our response
# validation against kin-openapi's on the same bodies; it prints both as tables.
set -eu
cd "$(dirname "$0")"
mkdir -p reports
out=${BENCH_OUT:-reports/bench.new.txt}
old=${BENCH_OLD:-reports/bench.old.txt}

# proxy_table prints the BenchmarkProxyOverhead and validation lines of $1 as tables.
proxy_table() {
	awk '
	/^BenchmarkProxyOverhead\// {
		name = $1; sub(/^BenchmarkProxyOverhead\//, "", name); sub(/-[0-9]+$/, "", name)
		for (i = 5; i < NF; i += 2) v[name, $(i + 1)] = $i
		names[++n] = name
	}
	/^Benchmark(Kin)?ValidateResponse\// {
		name = $1; sub(/-[0-9]+$/, "", name)
		vn[++m] = name; vt[m] = $3; vb[m] = $(NF - 3); va[m] = $(NF - 1)
	}
	END {
		if (n > 0) {
			print ""
			print "| batch | direct p50 µs | proxied p50 µs | added p50 µs | plain proxy added p50 µs | direct p99 µs | proxied p99 µs | added p99 µs | plain proxy added p99 µs | direct calls/s | proxied calls/s | added p50 ≤ one direct call |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
			for (k = 1; k <= n; k++) {
				s = names[k]
				ok = (v[s, "added-p50-µs"] <= v[s, "direct-p50-µs"]) ? "yes" : "NO"
				printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %s |\n", s,
					v[s, "direct-p50-µs"], v[s, "proxied-p50-µs"], v[s, "added-p50-µs"], v[s, "plain-proxy-added-p50-µs"],
					v[s, "direct-p99-µs"], v[s, "proxied-p99-µs"], v[s, "added-p99-µs"], v[s, "plain-proxy-added-p99-µs"],
					v[s, "direct-calls/s"], v[s, "proxied-calls/s"], ok
			}
		}
		if (m > 0) {
			print ""
			print "| validation | ns/op | B/op | allocs/op |"
			print "|---|---:|---:|---:|"
			for (k = 1; k <= m; k++) printf "| %s | %s | %s | %s |\n", vn[k], vt[k], vb[k], va[k]
		}
	}' "$1"
}

if [ "${1:-}" = proxy ]; then
	shift
	go test -run '^$' -bench 'ProxyOverhead' -benchtime 2000x "$@" ./proxy | tee "$out"
	go test -run '^$' -bench 'ValidateResponse/results=10000$' -benchmem -benchtime 10x -count 5 "$@" ./contract | tee -a "$out"
	proxy_table "$out"
	exit 0
fi

go test -run '^$' -bench . -benchmem "$@" ./... | tee "$out"
proxy_table "$out"
if command -v benchstat >/dev/null 2>&1 && [ -f "$old" ]; then
	echo
	benchstat "$old" "$out"
elif [ -f "$old" ]; then
	echo "benchstat not installed (go install golang.org/x/perf/cmd/benchstat@latest) to compare with $old" >&2
fi
