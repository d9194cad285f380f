// Package procstat samples the node processes of a bench run from outside
// (resident memory and thread count from /proc/<pid>/status, open
// descriptors from /proc/<pid>/fd; Linux), writes the samples as JSONL,
// plots them, and reports the soak figures next to their targets: every
// process flat after its first minute, memory growth per value, stable
// latency median and max per minute.
//
// Drive it from the runner (--sample-procs):
//
//	s, err := procstat.Start(procstat.Config{Interval: 10 * time.Second,
//		Path: filepath.Join(dir, procstat.File), Procs: livePIDs, Epoch: start})
//	... the run ...
//	samples, err := s.Stop()
//	growths := procstat.Growths(samples, valuesBroadcastBy)
//	minutes := procstat.PerMinute(points)
//	procstat.Report(os.Stdout, procstat.Outcome{Valid: "true"}, samples, growths, minutes)
//	procstat.WritePlots(dir, samples, minutes)
//
// Goroutines are not visible from outside a process: threads stand in
// for them.
package procstat
