package workload

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the process's CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkScheduleRate runs the main phase at rate 500 for 2 s against 25
// instant workers and reports the op rate reached and how late ops were
// issued. Target: >= 95% of the rate (475 ops/s), mean lag well under
// 0.1 ms (Go timers alone gave about 1 ms and 350 ops/s).
func BenchmarkScheduleRate(b *testing.B) {
	nodes := make([]string, 25)
	for i := range nodes {
		nodes[i] = "n" + string(rune('a'+i))
	}
	for i := 0; i < b.N; i++ {
		w, _, _ := newWorkload(b, nodes, 25, 500, 2*time.Second, okReply)
		t0 := w.cfg.Now()
		cpu0 := cpuSeconds()
		w.Main(context.Background(), t0)
		b.ReportMetric((cpuSeconds()-cpu0)/2*100, "%cpu")
		s := w.Stats()
		b.ReportMetric(float64(s.Issued)/2, "ops/s(target>=475)")
		b.ReportMetric(float64(s.LagNS)/float64(s.Issued)/1e6, "ms-mean-lag")
		b.ReportMetric(float64(s.MaxLagNS)/1e6, "ms-max-lag")
	}
}
