package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/results"

	"broadcast/internal/leakcheck"
)

// bins maps a test node name (maelstrom/testdata/<name>) to its binary,
// built once by TestMain.
var bins = map[string]string{}

var testNodes = []string{"correct", "nogossip", "garbage", "crash", "slowread", "naive", "scripted"}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "maelstrom-testnodes-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, n := range testNodes {
		args = append(args, "./maelstrom/testdata/"+n)
		bins[n] = filepath.Join(dir, n)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building test nodes:", err)
		os.Exit(2)
	}
	code := leakcheck.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuf is a goroutine-safe buffer for console output.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func nodeIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%d", i)
	}
	return out
}

type outcome struct {
	Result
	console *syncBuf
	stdout  *syncBuf
}

// runNode runs the bench on a test node with short defaults (2 s, rate 20,
// 0.5 s recovery wait), after mod.
func runNode(t *testing.T, node string, mod func(c *Config)) outcome {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Bin = bins[node]
	cfg.Nodes = nodeIDs(3)
	cfg.TimeLimit = 2 * time.Second
	cfg.Rate = 20
	cfg.RecoveryWait = 500 * time.Millisecond
	cfg.StoreDir = filepath.Join(t.TempDir(), "store")
	cfg.Seed = 7
	o := outcome{console: &syncBuf{}, stdout: &syncBuf{}}
	cfg.Console, cfg.Stdout = o.console, o.stdout
	if mod != nil {
		mod(&cfg)
	}
	o.Result = Run(context.Background(), cfg)
	// The run keeps no ops; the tests read them back from history.json.
	if f, err := os.Open(filepath.Join(o.Dir, results.HistoryJSON)); err == nil && o.Dir != "" {
		run, err := results.ReadHistoryJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("reading back history.json: %v", err)
		}
		o.Run.Ops = run.Ops
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d, run dir %s, exit %d, err %v\nconsole:\n%s\nstdout:\n%s", cfg.Seed, o.Dir, o.Exit, o.Err, o.console, o.stdout)
		}
	})
	return o
}

func (o outcome) jepsenLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(o.Dir, "jepsen.log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func clientOps(ops []history.Op, typ history.Type, f string) []history.Op {
	var out []history.Op
	for _, op := range ops {
		if op.Process != history.NemesisProcess && op.Type == typ && (f == "" || op.F == f) {
			out = append(out, op)
		}
	}
	return out
}

// A correct gossiping node is valid (exit 0), and the store layout is
// Maelstrom's. Also the independent count: the Go library logs "Sent {...}"
// for every message it writes; node-to-node lines in node-logs must match
// the bench's :net :servers msg-count.
func TestCorrectNodeValid(t *testing.T) {
	t.Parallel()
	o := runNode(t, "correct", func(c *Config) { c.Nodes = nodeIDs(5) })
	if o.Exit != ExitValid || o.Results == nil || o.Results.Valid != checker.Valid {
		t.Fatalf("exit %d, want 0 (valid)", o.Exit)
	}
	for _, f := range []string{"jepsen.log", "results.edn", "results.json", "history.txt", "history.edn", BenchFile, "node-logs/n0.log"} {
		if !exists(filepath.Join(o.Dir, f)) {
			t.Errorf("missing %s", f)
		}
	}
	store := filepath.Dir(filepath.Dir(o.Dir))
	for _, l := range []string{"latest", "current", "broadcast/latest"} {
		if dst, err := filepath.EvalSymlinks(filepath.Join(store, l)); err != nil || dst != o.Dir {
			t.Errorf("symlink %s -> %s (%v), want %s", l, dst, err, o.Dir)
		}
	}
	// Independent count.
	var logged int64
	for _, n := range nodeIDs(5) {
		f, err := os.Open(filepath.Join(o.Dir, "node-logs", n+".log"))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			line := sc.Text()
			i := strings.Index(line, "Sent {")
			if i < 0 {
				continue
			}
			var m struct{ Src, Dest string }
			if json.Unmarshal([]byte(line[i+5:]), &m) == nil && strings.HasPrefix(m.Src, "n") && strings.HasPrefix(m.Dest, "n") {
				logged++
			}
		}
		f.Close()
	}
	bench := o.Run.Net.Servers.Msg
	t.Logf("independent count: node logs show %d node-to-node sends, bench :servers msg-count %d (difference %d)", logged, bench, logged-bench)
	if bench == 0 || bench > logged || float64(logged-bench) > 0.05*float64(logged) {
		t.Fatalf("node logs %d vs bench %d: want bench <= logs within 5%%", logged, bench)
	}
}

// Reference: acceptance case 11: a node that acks but never gossips is
// invalid; lost = attempts minus the values of the node whose final read
// was invoked last; no server messages at all.
func TestNoGossipInvalid(t *testing.T) {
	t.Parallel()
	o := runNode(t, "nogossip", func(c *Config) { c.Nodes = nodeIDs(5); c.Rate = 10 })
	if o.Exit != ExitInvalid || o.Results == nil {
		t.Fatalf("exit %d, want 1", o.Exit)
	}
	w := o.Results.Workload
	if w.Valid != checker.Invalid || w.LostCount == 0 || len(w.Lost) != w.LostCount {
		t.Fatalf("workload %+v", w)
	}
	var lastFinal history.Op
	for _, op := range clientOps(o.Run.Ops, history.Invoke, "read") {
		if op.Final {
			lastFinal = op
		}
	}
	var held int
	for _, op := range clientOps(o.Run.Ops, history.OK, "read") {
		if op.Final && op.Process == lastFinal.Process {
			held = len(op.ReadValues())
		}
	}
	if w.LostCount != w.AttemptCount-held {
		t.Fatalf("lost %d, want attempts %d - %d held by the last final read", w.LostCount, w.AttemptCount, held)
	}
	if o.Run.Net.Servers.Msg != 0 || o.Results.Net.Servers.MsgsPerOp != 0 {
		t.Fatalf("servers %+v", o.Results.Net.Servers)
	}
	if !strings.Contains(o.stdout.String(), "Analysis invalid!") {
		t.Fatalf("no verdict line in the summary")
	}
}

// Reference: acceptance case 18: a non-JSON line kills that node's stdout
// (WARN logged), later requests to it time out, the run is not aborted.
func TestGarbageLine(t *testing.T) {
	t.Parallel()
	o := runNode(t, "garbage", func(c *Config) { c.Nodes = nodeIDs(1); c.TimeLimit = 3 * time.Second })
	if o.Exit == ExitAborted || o.Results == nil {
		t.Fatalf("exit %d: the run must not abort", o.Exit)
	}
	log := o.jepsenLog(t)
	if !strings.Contains(log, "WARN") || !strings.Contains(log, "printed a line to STDOUT which was not well-formed JSON") {
		t.Fatalf("no WARN about the bad line in jepsen.log")
	}
	if !strings.Contains(o.console.String(), "not well-formed JSON") {
		t.Fatalf("WARN not shown on the console")
	}
	// Broadcasts: 3 ok, every later op (including the final read) times out.
	bOK := clientOps(o.Run.Ops, history.OK, "broadcast")
	if len(bOK) != 3 {
		t.Fatalf("%d ok broadcasts, want 3", len(bOK))
	}
	timeouts := 0
	for _, op := range o.Run.Ops {
		if op.Type != history.Invoke && op.Type != history.OK && op.Error == "net-timeout" {
			timeouts++
		}
		if op.Type == history.OK && op.Index > bOK[2].Index && op.F == "read" {
			t.Fatalf("a read succeeded after the node's stdout died: %+v", op)
		}
	}
	if timeouts == 0 {
		t.Fatal("no timeouts after the bad line")
	}
}

// Reference: acceptance case 19 / MODEL.md, "Crashes": a node that exits mid-run makes the
// run abort at teardown with exit 255, no results, history written.
func TestCrashAborts(t *testing.T) {
	t.Parallel()
	o := runNode(t, "crash", func(c *Config) { c.Nodes = nodeIDs(1) })
	if o.Exit != ExitAborted || o.Results != nil {
		t.Fatalf("exit %d, want 255", o.Exit)
	}
	msg := o.Err.Error()
	for _, want := range []string{"Node n0 crashed with exit status 3", "Before crashing, it wrote to STDOUT:", "And to STDERR:", "crash: exiting after 5 broadcasts", "Full STDERR logs are available in"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("abort message lacks %q:\n%s", want, msg)
		}
	}
	if exists(filepath.Join(o.Dir, "results.edn")) || !exists(filepath.Join(o.Dir, "history.txt")) || !exists(filepath.Join(o.Dir, "history.edn")) {
		t.Fatal("want history.txt/.edn and no results.edn")
	}
}

// Reference: acceptance case 12: reads answered after more than 5 s become
// :fail :net-timeout, stats invalid, exit 1.
func TestSlowReadFails(t *testing.T) {
	t.Parallel()
	o := runNode(t, "slowread", func(c *Config) { c.Nodes = nodeIDs(1); c.Rate = 5 })
	if o.Exit != ExitInvalid || o.Results == nil {
		t.Fatalf("exit %d, want 1", o.Exit)
	}
	reads := 0
	for _, op := range o.Run.Ops {
		if op.F == "read" && op.Type != history.Invoke {
			reads++
			if op.Type != history.Fail || op.Error != "net-timeout" {
				t.Fatalf("read completion %+v, want :fail :net-timeout", op)
			}
		}
	}
	st := o.Results.Stats
	if reads == 0 || st.ByF["read"].OKCount != 0 || st.Valid != checker.Invalid {
		t.Fatalf("reads %d, stats %+v", reads, st)
	}
	if o.Results.Workload.Valid != checker.Unknown {
		t.Fatalf("workload %v, want unknown (no stable elements)", o.Results.Workload.Valid)
	}
}

type recorded struct {
	PID  string         `json:"-"`
	ID   int64          `json:"id"`
	Src  string         `json:"src"`
	Dest string         `json:"dest"`
	Body map[string]any `json:"body"`
}

func readRecord(t *testing.T, path string) []recorded {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []recorded
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r recorded
		pid, line, _ := strings.Cut(l, " ")
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		r.PID = pid
		out = append(out, r)
	}
	return out
}

// Reference: acceptance cases 1-3: default node names n1..n5 with
// node_ids in order; init (msg_id 1) then topology (msg_id 1, another
// client) first on every node; no broadcast or read before every topology;
// envelope ids unique, increasing, from 0; node-supplied ids ignored.
func TestSetupSequenceAndEnvelopeIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := runNode(t, "scripted", func(c *Config) {
		c.Nodes = DefaultConfig().Nodes
		c.Args = []string{"record=" + filepath.Join(dir, "rec"), "spoof-id", "k=1"}
		c.Topology = "line"
	})
	if o.Exit == ExitAborted || o.Results == nil {
		t.Fatalf("exit %d", o.Exit)
	}
	// One record file shared by all nodes (appends are line-atomic).
	lines := readRecord(t, filepath.Join(dir, "rec"))
	byNode := map[string][]recorded{}
	ids := map[int64]bool{}
	var minID int64 = 1 << 62
	var maxTopo, minOp int64 = -1, 1 << 62
	for _, l := range lines {
		byNode[l.Dest] = append(byNode[l.Dest], l)
		if ids[l.ID] {
			t.Fatalf("envelope id %d delivered twice", l.ID)
		}
		ids[l.ID] = true
		if l.ID == 12345 {
			t.Fatalf("a node-supplied id was kept: %+v", l)
		}
		if l.ID < minID {
			minID = l.ID
		}
		switch l.Body["type"] {
		case "topology":
			maxTopo = max(maxTopo, l.ID)
		case "broadcast", "read":
			minOp = min(minOp, l.ID)
		}
	}
	if minID != 0 {
		t.Fatalf("smallest envelope id %d, want 0", minID)
	}
	if minOp <= maxTopo {
		t.Fatalf("a client op (id %d) was sent before the last topology (id %d)", minOp, maxTopo)
	}
	want := []any{"n1", "n2", "n3", "n4", "n5"}
	for _, n := range DefaultConfig().Nodes {
		ls := byNode[n]
		if len(ls) < 2 {
			t.Fatalf("%s got %d lines", n, len(ls))
		}
		in, tp := ls[0], ls[1]
		if in.Body["type"] != "init" || in.Body["msg_id"] != 1.0 || !strings.HasPrefix(in.Src, "c") || in.Body["node_id"] != n || fmt.Sprint(in.Body["node_ids"]) != fmt.Sprint(want) {
			t.Fatalf("%s first line %+v", n, in)
		}
		if tp.Body["type"] != "topology" || tp.Body["msg_id"] != 1.0 || !strings.HasPrefix(tp.Src, "c") || tp.Src == in.Src {
			t.Fatalf("%s second line %+v", n, tp)
		}
		topo := fmt.Sprint(tp.Body["topology"])
		if topo != "map[n1:[n2] n2:[n1 n3] n3:[n2 n4] n4:[n3 n5] n5:[n4]]" {
			t.Fatalf("%s topology %s", n, topo)
		}
		var last int64 = -1
		for _, l := range ls {
			if l.ID <= last {
				t.Fatalf("%s: ids not increasing (%d after %d)", n, l.ID, last)
			}
			last = l.ID
		}
	}
}

// Reference: acceptance case 2 with one node: init from c0, topology from
// c1, first operation from c2.
func TestOneNodeClientIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := runNode(t, "scripted", func(c *Config) {
		c.Nodes = nodeIDs(1)
		c.Args = []string{"record=" + filepath.Join(dir, "rec")}
	})
	if o.Exit == ExitAborted {
		t.Fatalf("exit %d", o.Exit)
	}
	ls := readRecord(t, filepath.Join(dir, "rec"))
	if len(ls) < 3 || ls[0].Src != "c0" || ls[1].Src != "c1" || ls[2].Src != "c2" {
		t.Fatalf("first sources %v %v %v, want c0 c1 c2", ls[0].Src, ls[1].Src, ls[2].Src)
	}
}

// Reference: acceptance case 20: a node sending exactly k server messages
// per client broadcast: msgs-per-op = k*B/(B+Rd+F), clients send-count =
// 4N + 2(B+Rd+F).
func TestMsgsPerOpFormula(t *testing.T) {
	t.Parallel()
	o := runNode(t, "scripted", func(c *Config) { c.Nodes = nodeIDs(3); c.Args = []string{"k=4"} })
	if o.Results == nil {
		t.Fatalf("exit %d", o.Exit)
	}
	var b, rd, f int64
	for _, op := range clientOps(o.Run.Ops, history.Invoke, "") {
		switch {
		case op.F == "broadcast":
			b++
		case op.Final:
			f++
		default:
			rd++
		}
	}
	n := o.Results.Net
	if n.Servers.MsgCount != 4*b {
		t.Fatalf("servers msg-count %d, want 4*%d", n.Servers.MsgCount, b)
	}
	if want := float32(4*b) / float32(b+rd+f); n.Servers.MsgsPerOp != want {
		t.Fatalf("msgs-per-op %v, want %v", n.Servers.MsgsPerOp, want)
	}
	if want := 4*3 + 2*(b+rd+f); n.Clients.SendCount != want {
		t.Fatalf("clients send-count %d, want %d", n.Clients.SendCount, want)
	}
}

// Reference: acceptance cases 14, 15, 17: error codes, strict schemas,
// replies without in_reply_to.
func TestErrorRepliesAndSchemas(t *testing.T) {
	t.Parallel()
	malformed := func(op history.Op) bool {
		s, _ := op.Error.(string)
		return strings.HasPrefix(s, "indeterminate: Malformed RPC response") && op.Exception != ""
	}
	cases := []struct {
		args  []string
		f     string
		typ   history.Type
		check func(op history.Op) bool
	}{
		{[]string{"bcast-error=11"}, "broadcast", history.Fail, func(op history.Op) bool {
			return fmt.Sprint(op.Error) == "[temporarily-unavailable t]"
		}},
		{[]string{"bcast-error=13", "read-error=13"}, "read", history.Fail, func(op history.Op) bool { return fmt.Sprint(op.Error) == "[crash t]" }},
		{[]string{"bcast-error=1000"}, "broadcast", history.Info, func(op history.Op) bool { return fmt.Sprint(op.Error) == "[unknown t]" }},
		{[]string{"read-extra"}, "read", history.Info, malformed},
		{[]string{"read-null"}, "read", history.Info, malformed},
		{[]string{"no-reply-to"}, "broadcast", history.Info, func(op history.Op) bool { return op.Error == "net-timeout" }},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, ","), func(t *testing.T) {
			t.Parallel()
			o := runNode(t, "scripted", func(cfg *Config) { cfg.Nodes = nodeIDs(1); cfg.Args = c.args })
			if o.Results == nil {
				t.Fatalf("exit %d", o.Exit)
			}
			got := clientOps(o.Run.Ops, c.typ, c.f)
			if len(got) == 0 {
				t.Fatalf("no %s %s ops", c.typ, c.f)
			}
			for _, op := range got {
				if !c.check(op) {
					t.Fatalf("op %+v", op)
				}
			}
			if c.typ == history.Info && c.check(history.Op{Error: "indeterminate: Malformed RPC response", Exception: "x"}) && len(o.Results.Exceptions.Groups) == 0 {
				t.Fatalf("exceptions not listed")
			}
		})
	}
}

// Reference: acceptance case 18 (second half): a message to n99 kills the
// node's stdout; the run is not aborted; later requests time out.
func TestInvalidDestQuirk(t *testing.T) {
	t.Parallel()
	o := runNode(t, "scripted", func(c *Config) { c.Nodes = nodeIDs(1); c.Args = []string{"n99-after=2"}; c.TimeLimit = 3 * time.Second })
	if o.Exit == ExitAborted || o.Results == nil {
		t.Fatalf("exit %d", o.Exit)
	}
	if !strings.Contains(o.jepsenLog(t), "Invalid dest for message") {
		t.Fatal("no Invalid dest WARN")
	}
	if ok := clientOps(o.Run.Ops, history.OK, "broadcast"); len(ok) != 1 {
		// The second broadcast's n99 line comes before its reply.
		t.Fatalf("%d ok broadcasts, want 1", len(ok))
	}
}

// Reference: acceptance case 19: no init_ok within the init timeout, or no
// topology_ok within the topology timeout, aborts with 255.
func TestSetupFailuresAbort(t *testing.T) {
	t.Parallel()
	o := runNode(t, "scripted", func(c *Config) {
		c.Nodes = nodeIDs(2)
		c.Args = []string{"no-init"}
		c.InitTimeout = time.Second
	})
	if o.Exit != ExitAborted || !strings.Contains(o.Err.Error(), "to respond to an init message, but node did not respond.") {
		t.Fatalf("no-init: exit %d err %v", o.Exit, o.Err)
	}
	o = runNode(t, "scripted", func(c *Config) {
		c.Nodes = nodeIDs(2)
		c.Args = []string{"no-topology"}
		c.TopologyTimeout = time.Second
	})
	if o.Exit != ExitAborted || !strings.Contains(o.Err.Error(), "topology") {
		t.Fatalf("no-topology: exit %d err %v", o.Exit, o.Err)
	}
}

// Reference: MODEL.md, "Partitions", acceptance case 9: under partitions the correct node
// stays valid, messages are dropped (servers send > recv), the first
// start-partition comes first, and the final phase heals.
func TestPartitionNemesis(t *testing.T) {
	t.Parallel()
	o := runNode(t, "correct", func(c *Config) {
		c.Nodes = nodeIDs(5)
		c.Nemesis = []string{"partition"}
		c.NemesisInterval = 300 * time.Millisecond
		c.TimeLimit = 3 * time.Second
		c.RecoveryWait = 2 * time.Second
	})
	if o.Exit != ExitValid {
		t.Fatalf("exit %d, want 0", o.Exit)
	}
	var nem []history.Op
	for _, op := range o.Run.Ops {
		if op.Process == history.NemesisProcess {
			nem = append(nem, op)
		}
	}
	if len(nem) < 4 || nem[0].F != "start-partition" || nem[len(nem)-1].F != "stop-partition" || nem[len(nem)-1].Value != "network-healed" {
		t.Fatalf("nemesis ops %v", nem)
	}
	if s := o.Run.Net.Servers; s.Send <= s.Recv || o.Bench.Dropped == 0 {
		t.Fatalf("servers %+v dropped %d: want drops", s, o.Bench.Dropped)
	}
	// The counts by type add up to the :servers counts and the drops (no
	// node is down here, so every drop is a server message's).
	var sent, delivered, dropped, cut int64
	for _, c := range o.Bench.ServersByType {
		sent, delivered, dropped, cut = sent+c.Sent, delivered+c.Delivered, dropped+c.Dropped, cut+c.SentCut
	}
	if s := o.Run.Net.Servers; sent != s.Send || delivered != s.Recv || dropped != o.Bench.Dropped || cut == 0 {
		t.Fatalf("by type %+v: sent %d, delivered %d, dropped %d, %d while partitioned; want %d, %d, %d and some while partitioned",
			o.Bench.ServersByType, sent, delivered, dropped, cut, s.Send, s.Recv, o.Bench.Dropped)
	}
	if len(o.Run.Faults) == 0 || o.Run.Faults[0].Kind != "partition" {
		t.Fatalf("faults %+v", o.Run.Faults)
	}
}

// kill and kill-all restart nodes and re-send init and topology (from fresh
// clients); a restarted node's first stdin line is init.
func TestKillAndKillAll(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	t.Parallel()
	dir := t.TempDir()
	o := runNode(t, "scripted", func(c *Config) {
		c.Nodes = nodeIDs(3)
		c.Args = []string{"record=" + filepath.Join(dir, "rec"), "k=6"}
		c.Rate = 50
		c.Latency = 20 // so that server messages are in flight at every kill
		c.Nemesis = []string{"kill", "kill-all"}
		c.NemesisInterval = 300 * time.Millisecond
		c.TimeLimit = 3 * time.Second
	})
	if o.Exit == ExitAborted || o.Results == nil {
		t.Fatalf("exit %d err %v: kills must not count as crashes", o.Exit, o.Err)
	}
	if o.Bench.Restarts < 4 {
		t.Fatalf("%d restarts, want kill-all's 3 plus at least one kill", o.Bench.Restarts)
	}
	inits := map[string][]int{}
	ls := readRecord(t, filepath.Join(dir, "rec"))
	srcs := map[string]bool{}
	for i, l := range ls {
		if l.Body["type"] == "init" {
			inits[l.Dest] = append(inits[l.Dest], i)
			if srcs[l.Src] {
				t.Fatalf("init client %s reused", l.Src)
			}
			srcs[l.Src] = true
		}
	}
	total := 0
	for _, n := range nodeIDs(3) {
		total += len(inits[n]) - 1
		if len(inits[n]) < 2 {
			t.Fatalf("%s got %d inits, want a re-init after kill-all", n, len(inits[n]))
		}
	}
	if total != o.Bench.Restarts {
		t.Fatalf("%d re-inits, %d restarts", total, o.Bench.Restarts)
	}
	// Every process's first stdin line is init, from a client: messages
	// from servers queued for a restarting node are dropped until it has
	// answered init (InitOnly).
	first := map[string]recorded{}
	for _, l := range ls {
		if _, seen := first[l.PID]; !seen {
			first[l.PID] = l
			if l.Body["type"] != "init" || !strings.HasPrefix(l.Src, "c") {
				t.Fatalf("process %s's first line is %+v, want init", l.PID, l)
			}
		}
	}
	if len(first) != 3+o.Bench.Restarts {
		t.Fatalf("%d processes recorded, want 3 + %d restarts", len(first), o.Bench.Restarts)
	}
	var kills int
	for _, op := range o.Run.Ops {
		if op.Process == history.NemesisProcess && (op.F == "kill" || op.F == "kill-all") && op.Type == history.Info {
			kills++
		}
	}
	if kills == 0 {
		t.Fatal("no kill ops in the history")
	}
	kinds := map[string]bool{}
	for _, f := range o.Run.Faults {
		kinds[f.Kind] = true
	}
	if !kinds["kill"] || !kinds["kill-all"] {
		t.Fatalf("fault kinds %v", kinds)
	}
}
