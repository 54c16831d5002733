package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drsconform/drsconform/reference"
)

// BenchmarkProxyOverhead measures what the proxy adds to an SDK's calls: on
// loopback, with keep-alive, the same DELETE batch-jobs request (1 and 100
// jobs) to the reference, directly and through the proxy, alternating one
// call each so that both see the same machine. It reports the latency of
// each at p50 and p99, what the proxy adds, and calls per second of each;
// and, as a yardstick, what a reverse proxy that checks nothing
// (net/http/httputil) adds: the cost of the extra hop alone.
// ./bench.sh prints these as a table (README.md, "The proxy as a CI gate").
//
//	go test -run '^$' -bench ProxyOverhead -benchtime 2000x ./proxy
func BenchmarkProxyOverhead(b *testing.B) {
	const token = "tok-bench-0123456789"
	ref := httptest.NewServer(reference.New(reference.Config{ReleaseDelay: -1, Tokens: []string{token}}).Handler())
	defer ref.Close()
	up, err := url.Parse(ref.URL)
	if err != nil {
		b.Fatal(err)
	}
	p, err := New(Config{Upstream: up})
	if err != nil {
		b.Fatal(err)
	}
	prx := httptest.NewServer(p)
	defer prx.Close()
	// A reverse proxy that checks nothing: what the extra hop alone costs.
	plain := httptest.NewServer(httputil.NewSingleHostReverseProxy(up))
	defer plain.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}
	for _, jobs := range []int{1, 100} {
		var sb strings.Builder
		sb.WriteString(`{"jobs":[`)
		for i := range jobs {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"delete_type":"delete","job_id":"%08x-0006-41da-836e-db3301ajb20b"}`, i)
		}
		sb.WriteString("]}")
		body := sb.String()
		call := func(base string) time.Duration {
			req, err := http.NewRequest(http.MethodDelete, base+"/v3/p/jobs/batch-jobs", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Auth-Token", token)
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(start)
			if resp.StatusCode != http.StatusAccepted {
				b.Fatalf("status %d", resp.StatusCode)
			}
			return d
		}
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			call(ref.URL) // warm both connections
			call(prx.URL)
			call(plain.URL)
			var direct, proxied, hop []time.Duration
			for b.Loop() {
				direct = append(direct, call(ref.URL))
				proxied = append(proxied, call(prx.URL))
				hop = append(hop, call(plain.URL))
			}
			if s := p.Summary(); s.Violations > 0 {
				b.Fatalf("the reference's answers broke the contract: %+v", s)
			}
			dp50, dp99 := percentile(direct, 50), percentile(direct, 99)
			pp50, pp99 := percentile(proxied, 50), percentile(proxied, 99)
			us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
			b.ReportMetric(us(dp50), "direct-p50-µs")
			b.ReportMetric(us(dp99), "direct-p99-µs")
			b.ReportMetric(us(pp50), "proxied-p50-µs")
			b.ReportMetric(us(pp99), "proxied-p99-µs")
			b.ReportMetric(us(pp50-dp50), "added-p50-µs")
			b.ReportMetric(us(pp99-dp99), "added-p99-µs")
			b.ReportMetric(us(percentile(hop, 50)-dp50), "plain-proxy-added-p50-µs")
			b.ReportMetric(us(percentile(hop, 99)-dp99), "plain-proxy-added-p99-µs")
			b.ReportMetric(float64(len(direct))/sum(direct).Seconds(), "direct-calls/s")
			b.ReportMetric(float64(len(proxied))/sum(proxied).Seconds(), "proxied-calls/s")
		})
	}
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}
