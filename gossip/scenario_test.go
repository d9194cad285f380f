package gossip

import (
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var flagUpdate = flag.Bool("update", false, "rewrite the golden output of testdata/*.txt scenarios")

// TestScenarios runs the scripts in testdata/*.txt and compares their
// output (message trace, log lines, reads) with the golden text in the
// file. A script is a sequence of commands ("> cmd args"), each followed
// by its output; comments (#) and blank lines are kept. Rerun with -update
// to rewrite the outputs after reviewing the difference.
//
// Commands:
//
//	nodes N [key=value...]   start N nodes n0..; keys: relay sync maxsync
//	                         skip settle fanout buckets hello latency seed
//	                         overlay=tree|full|given
//	topology n0:n1,n2 n1:n0  send Maelstrom's topology to every node
//	broadcast NODE V...      client broadcasts at NODE
//	tick N                   advance N ticks (messages arrive when due)
//	deliver                  deliver every message in flight now
//	partition A B | C        cut the network into groups
//	heal                     remove every cut
//	crash NODE               stop NODE (its messages are lost)
//	restart NODE [keep=F]    restart NODE from its disk (acked values plus
//	                         a fraction F of the rest), then Rejoin
//	read NODE...             print each node's values
//	converged                print whether every live node holds every
//	                         acknowledged value
//	stats                    print message counts by kind
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := runScript(t, string(raw))
			if got == string(raw) {
				return
			}
			if *flagUpdate {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			t.Errorf("%s: output differs (rerun with -update after review):\n%s", file, lineDiff(string(raw), got))
		})
	}
}

// runScript executes a script and returns it with regenerated outputs.
func runScript(t *testing.T, script string) string {
	var out strings.Builder
	env := &scriptEnv{t: t, out: &out}
	for _, line := range strings.Split(strings.TrimRight(script, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "> "):
			out.WriteString(line + "\n")
			env.run(strings.Fields(line[2:]))
		case line == "" || strings.HasPrefix(line, "#"):
			out.WriteString(line + "\n")
		default:
			// old output: regenerated
		}
	}
	return out.String()
}

type scriptEnv struct {
	t   *testing.T
	out *strings.Builder
	net *simNet
}

func (e *scriptEnv) printf(format string, args ...any) {
	fmt.Fprintf(e.out, format+"\n", args...)
}

func (e *scriptEnv) run(args []string) {
	e.t.Helper()
	if len(args) == 0 {
		e.t.Fatal("empty command")
	}
	if args[0] != "nodes" && e.net == nil {
		e.t.Fatalf("%s before nodes", args[0])
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "nodes":
		e.startNodes(rest)
	case "topology":
		topo := map[string][]string{}
		for _, a := range rest {
			id, ns, _ := strings.Cut(a, ":")
			topo[id] = strings.Split(ns, ",")
		}
		e.net.setTopology(topo)
	case "broadcast":
		for _, a := range rest[1:] {
			v, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				e.t.Fatal(err)
			}
			if !e.net.broadcast(rest[0], v) {
				e.printf("%s is down: %d not acknowledged", rest[0], v)
			}
		}
	case "tick":
		n, err := strconv.Atoi(rest[0])
		if err != nil {
			e.t.Fatal(err)
		}
		e.net.run(int64(n))
	case "deliver":
		e.net.deliverAll()
	case "partition":
		var groups [][]string
		cur := []string{}
		for _, a := range rest {
			if a == "|" {
				groups = append(groups, cur)
				cur = []string{}
			} else {
				cur = append(cur, a)
			}
		}
		e.net.partition(append(groups, cur)...)
	case "heal":
		e.net.heal()
	case "crash":
		e.net.crash(rest[0])
	case "restart":
		keep := 1.0
		for _, a := range rest[1:] {
			if v, ok := strings.CutPrefix(a, "keep="); ok {
				keep, _ = strconv.ParseFloat(v, 64)
			}
		}
		if err := e.net.restart(rest[0], keep); err != nil {
			e.t.Fatal(err)
		}
	case "read":
		for _, id := range rest {
			e.printf("%s: %s", id, formatValues(e.net.read(id)))
		}
	case "converged":
		ok, why := e.net.converged()
		if ok {
			e.printf("converged: %d values everywhere", len(e.net.acked))
		} else {
			e.printf("not converged: %s", why)
		}
	case "stats":
		var parts []string
		for k := KindPush; k <= KindHello; k++ {
			parts = append(parts, fmt.Sprintf("%s=%d", k, e.net.sentByKind[k]))
		}
		e.printf("sent %d (%s), dropped %d", e.net.sent, strings.Join(parts, " "), e.net.dropped)
	default:
		e.t.Fatalf("unknown command %q", cmd)
	}
	if len(e.net.errs) > 0 {
		e.t.Fatalf("protocol errors: %v", e.net.errs)
	}
}

func (e *scriptEnv) startNodes(args []string) {
	n, err := strconv.Atoi(args[0])
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := starConfig()
	latency, seed := int64(1), int64(1)
	for _, a := range args[1:] {
		k, v, _ := strings.Cut(a, "=")
		if k == "overlay" {
			cfg.Overlay = map[string]Overlay{"tree": OverlayTree, "given": OverlayGiven, "full": OverlayFull}[v]
			continue
		}
		if k == "strategy" {
			cfg.Strategy = map[string]Strategy{"relay": StrategyRelay, "star": StrategyStar, "direct": StrategyDirect}[v]
			continue
		}
		if k == "suspect" && v == "auto" {
			cfg.SuspectTicks = SuspectAuto
			continue
		}
		x, err := strconv.Atoi(v)
		if err != nil {
			e.t.Fatalf("%s: %v", a, err)
		}
		switch k {
		case "relay":
			cfg.RelayTicks = x
		case "window":
			cfg.WindowTicks = x
		case "failover":
			cfg.FailoverTicks = x
		case "sync":
			cfg.SyncTicks = x
		case "maxsync":
			cfg.MaxSyncTicks = x
		case "skip":
			cfg.MaxSkipTicks = x
		case "settle":
			cfg.SettleTicks = x
		case "fanout":
			cfg.TreeFanout = x
		case "buckets":
			cfg.MerkleBuckets = x
		case "hello":
			cfg.HelloPeers = x
		case "suspect":
			cfg.SuspectTicks = x
		case "latency":
			latency = int64(x)
		case "seed":
			seed = int64(x)
		default:
			e.t.Fatalf("unknown key %q", k)
		}
	}
	cfg.Logf = func(format string, args ...any) { e.printf("log: "+format, args...) }
	s, err := newSimNet(seed, n, 1, func(*rand.Rand) int64 { return latency }, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.net = s
	s.trace = func(from, to string, m Message) { e.printf("%s", traceLine(s.now, from, to, m)) }
}

// traceLine renders one sent message.
func traceLine(now int64, from, to string, m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "t=%d %s -> %s %s", now, from, to, m.Kind)
	if m.Round != 0 {
		fmt.Fprintf(&b, " #%d", m.Round)
	}
	if m.Direct {
		b.WriteString(" direct")
	}
	if m.Ack != 0 {
		fmt.Fprintf(&b, " ack=%d", m.Ack)
	}
	if len(m.Values) > 0 || m.Kind == KindPush || m.Kind == KindSyncValues {
		vs := slices.Clone(m.Values)
		slices.Sort(vs)
		b.WriteString(" " + formatValues(vs))
	}
	if m.Buckets != nil {
		fmt.Fprintf(&b, " buckets=%v", m.Buckets)
	}
	if m.Root != nil {
		fmt.Fprintf(&b, " count=%d root=%s", m.Count, hex.EncodeToString(m.Root)[:8])
	}
	if m.Incarnation != "" {
		fmt.Fprintf(&b, " inc=%s", m.Incarnation)
	}
	return b.String()
}

// lineDiff shows the first differing lines of two texts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, a, b)
		}
	}
	return "(no difference)"
}
