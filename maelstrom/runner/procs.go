package runner

import (
	"path/filepath"
	"slices"
	"sort"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/procstat"
)

// This file is the process-sampling hook (Config.SampleProcs,
// --sample-procs): every node's resident memory, threads and descriptors,
// sampled from setup to the end of the final reads, into procs.jsonl, the
// procs-*.png plots and the soak figures after the summary.

// startSampling starts the sampler if asked to; nil otherwise.
func (r *run) startSampling() *procstat.Sampler {
	if r.cfg.SampleProcs <= 0 {
		return nil
	}
	s, err := procstat.Start(procstat.Config{
		Interval: r.cfg.SampleProcs,
		Path:     filepath.Join(r.dir, procstat.File),
		Procs:    r.cluster.livePIDs,
		Epoch:    r.start,
		Logf:     r.log.Logf,
	})
	if err != nil {
		r.log.Consolef("WARN process sampling off: %v", err)
		return nil
	}
	return s
}

// stopSampling stops the sampler (nil: nothing to do) and returns its
// samples.
func (r *run) stopSampling(s *procstat.Sampler) []procstat.Sample {
	if s == nil {
		return nil
	}
	samples, err := s.Stop()
	if err != nil {
		r.log.Logf("WARN process samples: %v", err)
	}
	return samples
}

// broadcastLog is the op observer behind the soak figures: every
// broadcast invocation's time (for the values broadcast by a time) and
// every acknowledged value (for acknowledged values lost). It keeps 8 B per
// broadcast and nothing of any read.
type broadcastLog struct {
	invoked []float64 // seconds since the start, in history order
	acked   map[int64]bool
}

// Observe records a broadcast invocation or acknowledgement.
func (b *broadcastLog) Observe(op history.Op) {
	if op.F != "broadcast" || op.Process == history.NemesisProcess {
		return
	}
	switch op.Type {
	case history.Invoke:
		b.invoked = append(b.invoked, float64(op.Time)/1e9)
	case history.OK:
		if v, ok := checker.IntValue(op.Value); ok {
			b.acked[v] = true
		}
	}
}

// samplingObserver returns the observer the soak figures need, or nil if
// sampling is off.
func (r *run) samplingObserver() history.Observer {
	if r.cfg.SampleProcs <= 0 {
		return nil
	}
	r.broadcasts = &broadcastLog{acked: map[int64]bool{}}
	return r.broadcasts
}

// reportSampling plots the samples and prints the soak figures.
func (r *run) reportSampling(samples []procstat.Sample, res checker.Results) {
	if r.cfg.SampleProcs <= 0 || r.broadcasts == nil {
		return
	}
	invoked := r.broadcasts.invoked
	sort.Float64s(invoked)
	valuesAt := func(t float64) int {
		i, _ := slices.BinarySearch(invoked, t)
		for i < len(invoked) && invoked[i] <= t {
			i++
		}
		return i
	}
	var points []procstat.Point
	for _, e := range res.Workload.Elements {
		if e.StableLatency != nil && e.Known != nil {
			points = append(points, procstat.Point{T: float64(e.Known.Time) / 1e9, LatencyMS: float64(*e.StableLatency)})
		}
	}
	out := procstat.Outcome{Valid: res.Valid.String(), Lost: res.Workload.LostCount}
	for _, v := range res.Workload.Lost {
		if r.broadcasts.acked[v] {
			out.AckedLost++
		}
	}
	minutes := procstat.PerMinute(points)
	procstat.Report(r.cfg.Stdout, out, samples, procstat.Growths(samples, valuesAt), minutes)
	if err := procstat.WritePlots(r.dir, samples, minutes); err != nil {
		r.log.Consolef("WARN process plots: %v", err)
	}
}

// livePIDs lists the node processes running now.
func (c *cluster) livePIDs() []procstat.Proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []procstat.Proc
	for _, id := range c.cfg.Nodes {
		if n := c.nodes[id]; n != nil && n.proc != nil && !n.proc.Exited() {
			out = append(out, procstat.Proc{Node: id, PID: n.proc.Pid()})
		}
	}
	return out
}
