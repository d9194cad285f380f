package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/journal"
	"broadcast/maelstrom/nemesis"
	"broadcast/maelstrom/netsim"
	"broadcast/maelstrom/plot"
	"broadcast/maelstrom/proc"
	"broadcast/maelstrom/report"
	"broadcast/maelstrom/results"
	"broadcast/maelstrom/timeline"
	"broadcast/maelstrom/topology"
	"broadcast/maelstrom/workload"
)

// Exit statuses, as Maelstrom's (MODEL.md, "Exit status"), plus 2 for a
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
	// ServersByType counts the server-to-server messages by body type,
	// most sent first (MODEL.md, "Extensions", messages by type).
	ServersByType []netsim.TypeCount `json:"servers-by-type"`
	// Restarts counts node restarts by the nemesis.
	Restarts int `json:"restarts"`
	// Priority says whether the bench ran at raised priority or why not; GOMAXPROCS and ThreadPerServer are the scheduling setup.
	Priority        string `json:"priority"`
	GOMAXPROCS      int    `json:"gomaxprocs"`
	ThreadPerServer bool   `json:"thread-per-server"`
	// MaxRSSMB is the bench process's peak resident memory (getrusage
	// ru_maxrss), in MiB.
	MaxRSSMB float64 `json:"max-rss-mb"`
	// HistoryFormat is --history-format; HistoryBytes the size of each
	// history file written.
	HistoryFormat string           `json:"history-format"`
	HistoryBytes  map[string]int64 `json:"history-bytes"`
	// Schedule says how well the main phase kept to its op schedule;
	// RecorderBlockedSeconds is how long recording ops waited for the
	// history files and the checker to catch up (the bench's own share of
	// any shortfall in the op rate).
	Schedule               workload.ScheduleStats `json:"schedule"`
	RecorderBlockedSeconds float64                `json:"recorder-blocked-seconds"`
	// AnalysisSeconds is the wall time from the end of the run (nodes torn
	// down, history written) to the results and plots written.
	AnalysisSeconds float64 `json:"analysis-seconds"`
	// Aborted is the abort message, if the run aborted.
	Aborted string `json:"aborted,omitempty"`
}

// Result is the outcome of one run.
type Result struct {
	// Exit is the process exit status the CLI should use.
	Exit int
	// Dir is the run directory ("" if none was created).
	Dir string
	// Run is what was recorded, without Ops: the ops went to the
	// observers and the history files as they were recorded.
	Run history.Run
	// Results is the analysis; nil if the run aborted.
	Results *checker.Results
	// Err is the abort or internal error, nil for a completed run.
	Err error
	// Bench is the bench's own figures.
	Bench Bench
}

// maxRSSMB is the process's peak resident set in MiB.
func maxRSSMB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
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
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return Result{Exit: ExitBadArgs, Err: fmt.Errorf("%w: --cpuprofile: %v", ErrConfig, err)}
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return Result{Exit: ExitInternal, Err: fmt.Errorf("runner: cpu profile: %w", err)}
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
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
	r.journal = startJournal(&cfg, dir, net, log)
	r.cluster = newCluster(&cfg, net, log, dir, bin, topo)
	if err := r.startPipeline(); err != nil {
		return Result{Exit: ExitInternal, Dir: dir, Err: err}
	}
	return r.run(ctx)
}

// startPipeline sets up where recorded ops go, in this order: the history
// files (and jepsen.log's op lines), the online checker (with the read-miss
// hooks), then cfg.Observers.
func (r *run) startPipeline() error {
	cfg := r.cfg
	hw, err := results.NewHistoryWriter(r.dir, results.HistoryConfig{
		Format: cfg.HistoryFormat, Nodes: cfg.Nodes, Concurrency: cfg.Concurrency,
		Log: func(line string) { r.log.Logf("INFO [%s] jepsen.util: %s", r.opThread(line), line) },
	})
	if err != nil {
		return err
	}
	r.hist = hw
	r.check = checker.NewOnline(checker.Config{Availability: cfg.Availability, Nodes: cfg.Nodes, Params: &checker.Params{
		NodeCount: len(cfg.Nodes), Concurrency: cfg.Concurrency, TimeLimit: cfg.TimeLimit.Seconds(),
		Rate: cfg.Rate, Latency: cfg.Latency, LatencyDist: cfg.LatencyDist, Topology: cfg.Topology,
		Nemesis: strings.Join(cfg.Nemesis, ","), Bin: r.cluster.bin,
	}})
	if len(cfg.ReadMiss) > 0 {
		hooks := cfg.ReadMiss
		r.check.OnReadMiss(func(node string, invoke int64, missed []int64) {
			for _, h := range hooks {
				h(node, invoke, missed)
			}
		})
	}
	obs := []history.Observer{hw, r.check}
	if r.timeline = startTimeline(r.dir, r.log); r.timeline != nil {
		obs = append(obs, r.timeline)
	}
	if o := r.samplingObserver(); o != nil {
		obs = append(obs, o)
	}
	r.rec = workload.NewRecorder(append(obs, cfg.Observers...)...)
	return nil
}

// opThread names the jepsen thread of an op's history.txt line: "jepsen
// nemesis", or "jepsen worker <process mod C>".
func (r *run) opThread(line string) string {
	p, _, _ := strings.Cut(line, "\t")
	n, err := strconv.Atoi(p)
	if err != nil {
		return "jepsen nemesis"
	}
	return "jepsen worker " + strconv.Itoa(n%r.cfg.Concurrency)
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
	hist     *results.HistoryWriter
	check    *checker.Online
	schedule workload.ScheduleStats
	cluster  *cluster
	nem      *nemesis.Nemesis
	journal  *journal.Writer    // nil if off
	timeline *timeline.Timeline // nil if it could not be created
	// broadcasts feeds the soak figures (nil unless SampleProcs).
	broadcasts *broadcastLog

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
		Faults: cfg.Nemesis, Interval: cfg.NemesisInterval, Nodes: cfg.Nodes, Seed: cfg.Seed, Targets: cfg.NemesisTargets,
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
		r.schedule = wl.Stats()
		wl.Close()
	}
	r.setPhase("teardown", 0)
	if crash := r.cluster.teardown(); crash != nil && abort == nil {
		abort = crash
	}
	r.net.Close()
	closeJournal(r.journal, log)
	stopProgress()
	r.rec.Close()
	closeTimeline(r.timeline, log)

	end := r.net.Now()
	st := r.net.Stats()
	res.Run = history.Run{
		Nodes:       cfg.Nodes,
		Concurrency: cfg.Concurrency,
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
	if err := r.hist.Close(res.Run); err != nil {
		log.Consolef("ERROR %v", err)
		if abort == nil {
			abort = err
		}
	}
	res.Bench = r.bench(st, end)
	analysisStart := time.Now()

	if abort != nil {
		res.Err = abort
		res.Exit = ExitAborted
		if !errors.Is(abort, errAbort) {
			res.Exit = ExitInternal
		}
		res.Bench.Aborted = abort.Error()
		log.Consolef("ERROR [jepsen test runner] jepsen.cli: Oh jeez, I'm sorry, Jepsen broke. Here's why:\n\n%s", strings.TrimPrefix(abort.Error(), errAbort.Error()+": "))
		r.writeDiagram(res.Run)
		r.writeBench(res.Bench)
		return res
	}

	log.Logf("INFO [jepsen test runner] jepsen.core: Analyzing...")
	checked := r.check.Finish(checker.Final{Net: res.Run.Net, Faults: res.Run.Faults, Resolve: r.hist.Resolve})
	res.Results = &checked
	if err := results.WriteResults(r.dir, checked); err != nil {
		log.Consolef("ERROR writing results: %v", err)
		res.Err, res.Exit = err, ExitInternal
		r.writeBench(res.Bench)
		return res
	}
	if err := plot.Write(r.dir, res.Run, checked); err != nil {
		log.Consolef("WARN plots: %v", err)
	}
	r.writeDiagram(res.Run)
	res.Bench.AnalysisSeconds = time.Since(analysisStart).Seconds()
	r.writeBench(res.Bench)
	log.Logf("INFO [jepsen test runner] jepsen.core: Analysis complete (%.2f s)", res.Bench.AnalysisSeconds)
	report.Summary(cfg.Stdout, res.Run, checked)
	r.reportSampling(samples, checked)
	b := res.Bench
	if len(b.ServersByType) > 0 {
		fmt.Fprintf(cfg.Stdout, "\nServer messages by type: %s\n", typeSummary(b.ServersByType, typesShown))
	}
	fmt.Fprintf(cfg.Stdout, "\nHistory (%s): %s; analysis %.2f s; bench peak RSS %.0f MiB\n", b.HistoryFormat, historySizes(b.HistoryBytes), b.AnalysisSeconds, b.MaxRSSMB)
	if s := b.Schedule; s.Issued > 0 {
		fmt.Fprintf(cfg.Stdout, "Schedule: %d main-phase ops, issued late by %.2f ms on average (max %.0f ms), of which %.2f ms waiting for a free worker (%d ops waited); recording waited %.2f s for the history and checker\n",
			s.Issued, float64(s.LagNS)/float64(s.Issued)/1e6, float64(s.MaxLagNS)/1e6, float64(s.WorkerWaitNS)/float64(s.Issued)/1e6, s.WaitedForWorker, b.RecorderBlockedSeconds)
	}
	fmt.Fprintf(cfg.Stdout, "Bench: %d hand-overs, lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms; bench CPU %.1f%% of one core (%.1f s over %.1f s); seed %d; %s\n",
		b.Lateness.Count, b.LatenessMS["p50"], b.LatenessMS["p99"], b.LatenessMS["max"],
		100*b.BenchCPUFraction, b.BenchCPUSeconds, b.WallSeconds, b.Seed, filepath.Join(r.dir, BenchFile))
	res.Exit = report.ExitCode(checked)
	return res
}

// phases runs the main phase and the final phase (MODEL.md, "Schedule").
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
	return fmt.Sprintf("{:workload :broadcast, :bin %q, :args %s, :nodes %s, :concurrency %d, :time-limit %v, :rate %v, :latency {:mean %d, :dist :%s}, :topology :%s, :nemesis %v, :nemesis-interval %v, :nemesis-targets %s, :availability %q, :log-stderr %v, :log-net-send %v, :log-net-recv %v, :seed %d}",
		r.cluster.bin, ednStrings(c.Args), ednStrings(c.Nodes), c.Concurrency, c.TimeLimit.Seconds(), c.Rate, c.Latency, c.LatencyDist,
		c.Topology, c.Nemesis, c.NemesisInterval.Seconds(), ednStrings(c.NemesisTargets), c.Availability, c.LogStderr, c.LogNetSend, c.LogNetRecv, c.Seed)
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
		Dropped: st.Dropped, ServersByType: st.ByType, Priority: r.priority, GOMAXPROCS: runtime.GOMAXPROCS(0),
		ThreadPerServer: r.cfg.ThreadPerServer, MaxRSSMB: maxRSSMB(),
		HistoryFormat: r.hist.Format(), HistoryBytes: r.hist.Sizes(),
		Schedule: r.schedule, RecorderBlockedSeconds: r.rec.Blocked().Seconds(),
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

// typesShown is how many body types the run summary names; bench.json
// has them all.
const typesShown = 8

// typeSummary renders the first n type counts as "gossip 1200 (30
// dropped; 400 while partitioned), ...", and how many more types there are.
func typeSummary(counts []netsim.TypeCount, n int) string {
	parts := make([]string, 0, min(n, len(counts))+1)
	for i, c := range counts {
		if i == n {
			parts = append(parts, fmt.Sprintf("%d more types in %s", len(counts)-n, BenchFile))
			break
		}
		p := fmt.Sprintf("%s %d", c.Type, c.Sent)
		var notes []string
		if c.Dropped > 0 {
			notes = append(notes, fmt.Sprintf("%d dropped", c.Dropped))
		}
		if c.SentCut > 0 {
			notes = append(notes, fmt.Sprintf("%d while partitioned", c.SentCut))
		}
		if len(notes) > 0 {
			p += " (" + strings.Join(notes, "; ") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// historySizes renders file sizes as "history.txt 1.2 MB, ...".
func historySizes(m map[string]int64) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %.1f MB", n, float64(m[n])/1e6)
	}
	return strings.Join(parts, ", ")
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
