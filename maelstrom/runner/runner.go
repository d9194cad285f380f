package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/nemesis"
	"broadcast/maelstrom/netsim"
	"broadcast/maelstrom/plot"
	"broadcast/maelstrom/proc"
	"broadcast/maelstrom/report"
	"broadcast/maelstrom/results"
	"broadcast/maelstrom/topology"
	"broadcast/maelstrom/workload"
)

// Exit statuses, as Maelstrom's (maelstrom-compat.md §6.3), plus 2 for a
// bench failure.
const (
	ExitValid    = 0
	ExitInvalid  = 1
	ExitUnknown  = 2
	ExitInternal = 2
	ExitBadArgs  = 254
	ExitAborted  = 255
)

// BenchFile is the side file every run writes into its directory.
const BenchFile = "bench.json"

// Bench is what the bench measured about itself during a run (bench.json).
type Bench struct {
	Seed uint64   `json:"seed"`
	Argv []string `json:"argv,omitempty"`
	// Lateness is how late messages were handed to server nodes against the
	// time an ideal simulator would hand them over (the deadline, or the
	// modelled head-of-line wait behind the previous message).
	Lateness netsim.Lateness `json:"lateness"`
	// LatenessMS repeats the quantiles in milliseconds.
	LatenessMS map[string]float64 `json:"lateness-ms"`
	// BenchCPUSeconds is the bench process's own CPU time (user+system,
	// getrusage RUSAGE_SELF) over the run; BenchCPUFraction divides it by
	// the wall time (1.0 = one core).
	BenchCPUSeconds  float64 `json:"bench-cpu-seconds"`
	BenchCPUFraction float64 `json:"bench-cpu-fraction"`
	WallSeconds      float64 `json:"wall-seconds"`
	// NodesCPUSeconds is the CPU time of reaped node processes.
	NodesCPUSeconds float64 `json:"nodes-cpu-seconds"`
	// Dropped counts server messages dropped by partitions or dead nodes.
	Dropped int64 `json:"dropped"`
	// Restarts counts node restarts by the nemesis.
	Restarts int `json:"restarts"`
	// Priority says whether the bench ran at raised priority or why not; GOMAXPROCS and ThreadPerServer are the scheduling setup.
	Priority        string `json:"priority"`
	GOMAXPROCS      int    `json:"gomaxprocs"`
	ThreadPerServer bool   `json:"thread-per-server"`
	// Aborted is the abort message, if the run aborted.
	Aborted string `json:"aborted,omitempty"`
}

// Result is the outcome of one run.
type Result struct {
	// Exit is the process exit status the CLI should use.
	Exit int
	// Dir is the run directory ("" if none was created).
	Dir string
	// Run is what was recorded.
	Run history.Run
	// Results is the analysis; nil if the run aborted.
	Results *checker.Results
	// Err is the abort or internal error, nil for a completed run.
	Err error
	// Bench is the bench's own figures.
	Bench Bench
}

func rusage(who int) float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// Run performs one test run: setup, main phase, final phase, teardown,
// analysis. It never panics on node misbehaviour; see Result.Exit.
func Run(ctx context.Context, cfg Config) Result {
	if err := cfg.validate(); err != nil {
		return Result{Exit: ExitBadArgs, Err: err}
	}
	bin, err := proc.Canonical(cfg.Bin)
	if err != nil {
		// Maelstrom fails when it launches the first node: an abort.
		return Result{Exit: ExitAborted, Err: fmt.Errorf("%w: Cannot run program %q: %v", errAbort, cfg.Bin, err)}
	}
	topo, _ := topology.Build(cfg.Topology, cfg.Nodes)
	term := &terminal{w: cfg.Console, tty: cfg.ConsoleTTY}

	// The network is built before anything else, as in Maelstrom: a latency
	// setting it cannot start with fails here, with no run directory.
	wallStart := time.Now()
	net, err := netsim.New(netsim.Config{
		Latency: cfg.Latency, Dist: cfg.LatencyDist, Seed: cfg.Seed,
		LogSend: cfg.LogNetSend, LogRecv: cfg.LogNetRecv, Epoch: wallStart,
		ThreadPerServer: cfg.ThreadPerServer,
	})
	if err != nil {
		return Result{Exit: ExitAborted, Err: err}
	}
	defer net.Close()

	priority := "normal (not requested)"
	if cfg.RaisePriority > 0 {
		if nice, err := proc.RaisePriority(cfg.RaisePriority); err != nil {
			priority = "normal: " + err.Error()
		} else {
			priority = fmt.Sprintf("raised: the bench runs at nice %d, the nodes at the caller's nice value", nice)
		}
	}
	if cfg.ThreadPerServer {
		want := min(64, len(cfg.Nodes)+8)
		if runtime.GOMAXPROCS(0) < want {
			runtime.GOMAXPROCS(want)
		}
	}

	dir, err := makeRunDir(cfg.StoreDir, cfg.Workload, wallStart)
	if err != nil {
		return Result{Exit: ExitInternal, Err: fmt.Errorf("runner: run directory: %w", err)}
	}
	log, err := newLogger(filepath.Join(dir, "jepsen.log"), term)
	if err != nil {
		return Result{Exit: ExitInternal, Dir: dir, Err: err}
	}
	defer log.close()
	net.SetLogf(log.Logf)

	r := &run{cfg: &cfg, net: net, log: log, term: term, dir: dir, start: wallStart,
		cpu0: rusage(syscall.RUSAGE_SELF), priority: priority}
	r.rec = workload.NewRecorder(cfg.Concurrency, log.Logf)
	r.cluster = newCluster(&cfg, net, log, dir, bin, topo)
	return r.run(ctx)
}

// run is one run's state.
type run struct {
	cfg      *Config
	net      *netsim.Net
	log      *logger
	term     *terminal
	dir      string
	start    time.Time
	cpu0     float64
	priority string
	rec      *workload.Recorder
	cluster  *cluster
	nem      *nemesis.Nemesis

	mu     sync.Mutex // protects phase, cutoff, phaseEnd
	phase  string
	cutoff int64
	// phaseEnd is when the current timed phase ends (relative ns), 0 if
	// untimed.
	phaseEnd int64
}

func (r *run) setPhase(p string, end int64) {
	r.mu.Lock()
	r.phase, r.phaseEnd = p, end
	r.mu.Unlock()
}

func (r *run) run(ctx context.Context) Result {
	cfg := r.cfg
	log := r.log
	log.Consolef("Running broadcast test in %s", r.dir)
	log.Logf("Test options: %s", r.describe())
	log.Logf("Bench scheduling: priority %s; GOMAXPROCS %d; thread per server %v", r.priority, runtime.GOMAXPROCS(0), cfg.ThreadPerServer)

	stopProgress := r.startProgress()
	res := Result{Dir: r.dir}
	var abort error

	var err error
	r.nem, err = nemesis.New(nemesis.Config{
		Faults: cfg.Nemesis, Interval: cfg.NemesisInterval, Nodes: cfg.Nodes, Seed: cfg.Seed,
		Record: func(op history.Op) { r.rec.Add(op) }, Now: r.net.Now, Logf: log.Logf,
	}, r.cluster)
	if err != nil {
		abort = err
	}
	wl, err := workload.New(workload.Config{
		Nodes: cfg.Nodes, Concurrency: cfg.Concurrency, Rate: cfg.Rate, TimeLimit: cfg.TimeLimit,
		RPCTimeout: cfg.RPCTimeout, Seed: cfg.Seed,
		Open: func() workload.Client { return r.net.OpenClient() }, Rec: r.rec, Now: r.net.Now, Logf: log.Logf,
	})
	if err != nil && abort == nil {
		abort = err
	}

	if abort == nil {
		r.setPhase("setup", 0)
		log.Logf("INFO [jepsen test runner] jepsen.core: Setting up nodes")
		if err := r.cluster.setup(); err != nil {
			abort = err
		}
	}
	sampler := r.startSampling()
	if abort == nil {
		abort = r.phases(ctx, wl)
	}
	samples := r.stopSampling(sampler)
	if wl != nil {
		wl.Close()
	}
	r.setPhase("teardown", 0)
	if crash := r.cluster.teardown(); crash != nil && abort == nil {
		abort = crash
	}
	r.net.Close()
	stopProgress()

	end := r.net.Now()
	st := r.net.Stats()
	res.Run = history.Run{
		Nodes:       cfg.Nodes,
		Concurrency: cfg.Concurrency,
		Ops:         r.rec.Ops(),
		Net:         st.Net,
		Series:      st.Series,
		SeriesWidth: st.SeriesWidth,
		Start:       r.start.Format(time.RFC3339Nano),
	}
	if r.nem != nil {
		res.Run.Faults = r.nem.Faults(end)
	}
	if res.Run.Faults == nil {
		res.Run.Faults = []history.Interval{}
	}
	res.Bench = r.bench(st, end)

	if abort != nil {
		res.Err = abort
		res.Exit = ExitAborted
		if !errors.Is(abort, errAbort) {
			res.Exit = ExitInternal
		}
		res.Bench.Aborted = abort.Error()
		log.Consolef("ERROR [jepsen test runner] jepsen.cli: Oh jeez, I'm sorry, Jepsen broke. Here's why:\n\n%s", strings.TrimPrefix(abort.Error(), errAbort.Error()+": "))
		if err := writeHistory(r.dir, res.Run); err != nil {
			log.Logf("WARN writing the history: %v", err)
		}
		r.writeBench(res.Bench)
		return res
	}

	log.Logf("INFO [jepsen test runner] jepsen.core: Analyzing...")
	ccfg := checker.Config{Availability: cfg.Availability, Params: &checker.Params{
		NodeCount: len(cfg.Nodes), Concurrency: cfg.Concurrency, TimeLimit: cfg.TimeLimit.Seconds(),
		Rate: cfg.Rate, Latency: cfg.Latency, LatencyDist: cfg.LatencyDist, Topology: cfg.Topology,
		Nemesis: strings.Join(cfg.Nemesis, ","), Bin: r.cluster.bin,
	}}
	checked := checker.CheckWith(res.Run, ccfg)
	res.Results = &checked
	if err := results.Write(r.dir, res.Run, checked); err != nil {
		log.Consolef("ERROR writing results: %v", err)
		res.Err, res.Exit = err, ExitInternal
		r.writeBench(res.Bench)
		return res
	}
	if err := plot.Write(r.dir, res.Run, checked); err != nil {
		log.Consolef("WARN plots: %v", err)
	}
	r.writeBench(res.Bench)
	log.Logf("INFO [jepsen test runner] jepsen.core: Analysis complete")
	report.Summary(cfg.Stdout, res.Run, checked)
	r.reportSampling(samples, res.Run, checked)
	b := res.Bench
	fmt.Fprintf(cfg.Stdout, "\nBench: %d hand-overs, lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms; bench CPU %.1f%% of one core (%.1f s over %.1f s); seed %d; %s\n",
		b.Lateness.Count, b.LatenessMS["p50"], b.LatenessMS["p99"], b.LatenessMS["max"],
		100*b.BenchCPUFraction, b.BenchCPUSeconds, b.WallSeconds, b.Seed, filepath.Join(r.dir, BenchFile))
	res.Exit = report.ExitCode(checked)
	return res
}

// phases runs the main phase and the final phase (§4.2).
func (r *run) phases(ctx context.Context, wl *workload.Workload) error {
	log := r.log
	t0 := r.net.Now()
	cutoff := t0 + int64(r.cfg.TimeLimit)
	r.mu.Lock()
	r.cutoff = cutoff
	r.mu.Unlock()
	r.setPhase("main", cutoff)
	log.Logf("INFO [jepsen test runner] jepsen.core: Run starting (time limit %v, rate %v, concurrency %d)", r.cfg.TimeLimit, r.cfg.Rate, r.cfg.Concurrency)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.nem.Run(ctx, t0, cutoff)
	}()
	wl.Main(ctx, t0)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return abortf("interrupted: %v", err)
	}
	r.setPhase("heal", 0)
	r.nem.Final()
	log.Logf("INFO [jepsen worker nemesis] jepsen.generator.interpreter: Waiting for recovery...")
	r.setPhase("recovery", r.net.Now()+int64(r.cfg.RecoveryWait))
	select {
	case <-time.After(r.cfg.RecoveryWait):
	case <-ctx.Done():
		return abortf("interrupted: %v", ctx.Err())
	}
	r.setPhase("final reads", 0)
	wl.Final(ctx)
	log.Logf("INFO [jepsen test runner] jepsen.core: Run complete, writing")
	return nil
}

func (r *run) describe() string {
	c := r.cfg
	return fmt.Sprintf("{:workload :broadcast, :bin %q, :args %s, :nodes %s, :concurrency %d, :time-limit %v, :rate %v, :latency {:mean %d, :dist :%s}, :topology :%s, :nemesis %v, :nemesis-interval %v, :availability %q, :log-stderr %v, :log-net-send %v, :log-net-recv %v, :seed %d}",
		r.cluster.bin, ednStrings(c.Args), ednStrings(c.Nodes), c.Concurrency, c.TimeLimit.Seconds(), c.Rate, c.Latency, c.LatencyDist,
		c.Topology, c.Nemesis, c.NemesisInterval.Seconds(), c.Availability, c.LogStderr, c.LogNetSend, c.LogNetRecv, c.Seed)
}

func (r *run) bench(st netsim.Stats, end int64) Bench {
	wall := time.Since(r.start).Seconds()
	cpu := rusage(syscall.RUSAGE_SELF) - r.cpu0
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b := Bench{
		Seed: r.cfg.Seed, Argv: r.cfg.Argv, Lateness: st.Lateness,
		LatenessMS: map[string]float64{
			"p50": ms(st.Lateness.P50), "p90": ms(st.Lateness.P90), "p99": ms(st.Lateness.P99),
			"p999": ms(st.Lateness.P999), "max": ms(st.Lateness.Max), "mean": ms(st.Lateness.Mean),
		},
		BenchCPUSeconds: cpu, WallSeconds: wall, NodesCPUSeconds: rusage(syscall.RUSAGE_CHILDREN),
		Dropped: st.Dropped, Priority: r.priority, GOMAXPROCS: runtime.GOMAXPROCS(0),
		ThreadPerServer: r.cfg.ThreadPerServer,
	}
	if wall > 0 {
		b.BenchCPUFraction = cpu / wall
	}
	r.cluster.mu.Lock()
	for _, n := range r.cluster.nodes {
		b.Restarts += n.restarts
	}
	r.cluster.mu.Unlock()
	r.log.Logf("INFO [jepsen test runner] maelstrom.bench: hand-over lateness over %d messages: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms; bench CPU %.2f s over %.2f s wall (%.1f%% of one core)",
		st.Lateness.Count, b.LatenessMS["p50"], b.LatenessMS["p90"], b.LatenessMS["p99"], b.LatenessMS["p999"], b.LatenessMS["max"], cpu, wall, 100*b.BenchCPUFraction)
	return b
}

func (r *run) writeBench(b Bench) {
	if err := writeJSON(filepath.Join(r.dir, BenchFile), b); err != nil {
		r.log.Logf("WARN writing %s: %v", BenchFile, err)
	}
}

// writeHistory writes history.txt, history.edn and history.json, as an
// aborted Maelstrom run leaves its history (but no results).
func writeHistory(dir string, run history.Run) error {
	var errs []error
	for name, fill := range map[string]func(*bytes.Buffer) error{
		results.HistoryTxt:  func(b *bytes.Buffer) error { return results.WriteHistoryTxt(b, run.Ops) },
		results.HistoryEDN:  func(b *bytes.Buffer) error { return results.WriteHistoryEDN(b, run.Ops) },
		results.HistoryJSON: func(b *bytes.Buffer) error { return results.WriteHistoryJSON(b, run) },
	} {
		var b bytes.Buffer
		if err := fill(&b); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// startProgress prints progress on the console until the returned func is
// called: a single updating line on a TTY, a plain line every
// ProgressEvery otherwise.
func (r *run) startProgress() func() {
	every := r.cfg.ProgressEvery
	if r.term.tty {
		every = 250 * time.Millisecond
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.term.status(r.progressLine())
			case <-stop:
				return
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		r.term.clear()
	}
}

func (r *run) progressLine() string {
	r.mu.Lock()
	phase, end := r.phase, r.phaseEnd
	r.mu.Unlock()
	now := r.net.Now()
	var b strings.Builder
	fmt.Fprintf(&b, "[%6.1fs] %s", time.Duration(now).Seconds(), phase)
	if end > 0 {
		left := time.Duration(end - now)
		if left < 0 {
			left = 0
		}
		fmt.Fprintf(&b, " (%.0fs left)", left.Seconds())
	}
	inv, ok, fail, info := r.rec.Counts()
	fmt.Fprintf(&b, " | ops %d (ok %d, fail %d, info %d) | msgs %d", inv, ok, fail, info, r.net.Sent())
	if r.nem != nil {
		if a := r.nem.Active(); a != "" {
			fmt.Fprintf(&b, " | %s", a)
		}
	}
	return b.String()
}
