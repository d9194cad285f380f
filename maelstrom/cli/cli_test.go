package cli

import (
	"broadcast/maelstrom/results"
	"broadcast/maelstrom/runner"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, args string) Options {
	t.Helper()
	o, err := Parse(strings.Fields(args))
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return o
}

func bad(t *testing.T, args, want string) {
	t.Helper()
	_, err := Parse(strings.Fields(args))
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("%q: err = %v, want ErrUsage", args, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("%q: error %q lacks %q", args, err, want)
	}
}

// Reference: MODEL.md, "Command line" defaults, MODEL.md, "Identifiers" default nodes n1..n5.
func TestDefaults(t *testing.T) {
	o := parse(t, "test -w broadcast --bin ./x")
	want := Options{Config: runner.DefaultConfig(), Command: "test", TestCount: 1}
	want.Workload, want.Bin, want.Nodes, want.Concurrency = "broadcast", "./x", []string{"n1", "n2", "n3", "n4", "n5"}, 5
	want.TimeLimit, want.Rate, want.LatencyDist, want.Topology = 60*time.Second, 5, "constant", "grid"
	want.NemesisInterval, want.HistoryFormat = 10*time.Second, results.FormatFull
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("got %+v\nwant %+v", o, want)
	}
}

// Reference: MODEL.md, "Command line": options anywhere, --opt v and --opt=v, short forms,
// positional args in order, everything after -- positional.
func TestOptionsAnywhere(t *testing.T) {
	o := parse(t, "test a1 --bin=./node -w broadcast a2 --node-count 3 --rate=10.5 -- --latency 5 -w")
	if o.Bin != "./node" || o.Rate != 10.5 || o.Latency != 0 || !reflect.DeepEqual(o.Args, []string{"a1", "a2", "--latency", "5", "-w"}) {
		t.Fatalf("%+v", o)
	}
	if !reflect.DeepEqual(o.Nodes, []string{"n0", "n1", "n2"}) || o.Concurrency != 3 {
		t.Fatalf("nodes %v concurrency %d", o.Nodes, o.Concurrency)
	}
	o = parse(t, "test -wbroadcast --bin x --concurrency 2n --node-count 4 --time-limit 20 --latency 100 --latency-dist exponential --topology tree4 --nemesis partition,kill --nemesis-interval 0.5 --log-stderr --log-net-send --log-net-recv --availability total --test-count 3 --seed 42")
	if o.Concurrency != 8 || o.TimeLimit != 20*time.Second || o.Latency != 100 || o.LatencyDist != "exponential" ||
		o.Topology != "tree4" || !reflect.DeepEqual(o.Nemesis, []string{"partition", "kill"}) || o.NemesisInterval != 500*time.Millisecond ||
		!o.LogStderr || !o.LogNetSend || !o.LogNetRecv || o.Availability != "total" || o.TestCount != 3 || o.Seed != 42 || !o.SeedSet {
		t.Fatalf("%+v", o)
	}
	if o := parse(t, "test -w broadcast --bin x --node-count 4 --nemesis partition,pause,kill --nemesis-targets n0,n3,n0"); !reflect.DeepEqual(o.Nemesis, []string{"partition", "pause", "kill"}) || !reflect.DeepEqual(o.NemesisTargets, []string{"n0", "n3"}) {
		t.Fatalf("nemesis %v targets %v", o.Nemesis, o.NemesisTargets)
	}
	if o := parse(t, "test -w broadcast --bin x --concurrency 7"); o.Concurrency != 7 {
		t.Fatalf("concurrency %d", o.Concurrency)
	}
	if o := parse(t, "test -w broadcast --bin x --seed -1"); o.Seed != ^uint64(0) {
		t.Fatalf("seed %d", o.Seed)
	}
}

// Reference: jepsen parse-nodes: -n repeatable, --nodes, --nodes-file,
// --node-count overrides the default list.
func TestNodes(t *testing.T) {
	if o := parse(t, "test -w broadcast --bin x -n a -n b --node c"); !reflect.DeepEqual(o.Nodes, []string{"a", "b", "c"}) {
		t.Fatalf("%v", o.Nodes)
	}
	if o := parse(t, "test -w broadcast --bin x --nodes a,b, c"); !reflect.DeepEqual(o.Nodes, []string{"a", "b"}) || !reflect.DeepEqual(o.Args, []string{"c"}) {
		t.Fatalf("%v %v", o.Nodes, o.Args)
	}
	f := filepath.Join(t.TempDir(), "nodes")
	os.WriteFile(f, []byte("x1\n  x2 \n\n"), 0o644)
	if o := parse(t, "test -w broadcast --bin x --nodes-file "+f+" --nodes y1"); !reflect.DeepEqual(o.Nodes, []string{"x1", "x2", "y1"}) {
		t.Fatalf("%v", o.Nodes)
	}
	if o := parse(t, "test -w broadcast --bin x --node-count 2 --concurrency 3n"); !reflect.DeepEqual(o.Nodes, []string{"n0", "n1"}) || o.Concurrency != 6 {
		t.Fatalf("%v %d", o.Nodes, o.Concurrency)
	}
}

// Reference: MODEL.md, "Command line" bad arguments are exit 254 with the reason; --help is
// not an error.
func TestErrors(t *testing.T) {
	bad(t, "", "no command")
	bad(t, "run -w broadcast --bin x", "unknown command")
	bad(t, "test -w broadcast", "Expected a --bin")
	bad(t, "test --bin x", "default workload is lin-kv")
	bad(t, "test -w lin-kv --bin x", "only implements the broadcast workload")
	bad(t, "test -w nope --bin x", "Must be one of")
	bad(t, "test -w broadcast --bin x --frobnicate", `Unknown option: "--frobnicate"`)
	bad(t, "test -w broadcast --bin x --rate", "Missing required argument")
	bad(t, "test -w broadcast --bin x --rate -1", "Can't be negative")
	bad(t, "test -w broadcast --bin x --rate abc", "--rate abc")
	bad(t, "test -w broadcast --bin x --time-limit 0", "Must be positive")
	bad(t, "test -w broadcast --bin x --time-limit 1.5", "--time-limit 1.5")
	bad(t, "test -w broadcast --bin x --latency -3", "non-negative")
	bad(t, "test -w broadcast --bin x --latency-dist normal", "constant, uniform, or exponential")
	bad(t, "test -w broadcast --bin x --topology star", "Must be one of")
	bad(t, "test -w broadcast --bin x --nemesis freeze", "Must be one of")
	bad(t, "test -w broadcast --bin x --node-count 3 --nemesis-targets n0,n3", "unknown node n3")
	bad(t, "test -w broadcast --bin x --nemesis-targets ,", "at least one node")
	bad(t, "test -w broadcast --bin x --nemesis-interval 0", "Must be positive")
	bad(t, "test -w broadcast --bin x --concurrency 2x", "optionally followed by n")
	bad(t, "test -w broadcast --bin x --availability 2", "between 0 and 1")
	bad(t, "test -w broadcast --bin x --node-count 0", "Must be positive")
	bad(t, "test -w broadcast --bin x --log-stderr=yes", "takes no argument")
	bad(t, "test -w broadcast --bin x -n a -n a", "given twice")
	for _, args := range []string{"--help", "help", "test --help", "test -w broadcast -h", "test --bogus --help"} {
		if _, err := Parse(strings.Fields(args)); !errors.Is(err, ErrHelp) {
			t.Fatalf("%q: %v, want ErrHelp", args, err)
		}
	}
	if !strings.Contains(Usage(), "--node-count NUM") || !strings.Contains(Usage(), "-w, --workload NAME") {
		t.Fatal("usage incomplete")
	}
}

// The bench's own run options parse straight into runner.Config:
// --history-format (full or delta, nothing else) and --cpuprofile.
func TestHistoryFormatAndProfile(t *testing.T) {
	o := parse(t, "test -w broadcast --bin x --history-format delta --cpuprofile /tmp/p")
	if o.HistoryFormat != results.FormatDelta || o.CPUProfile != "/tmp/p" {
		t.Fatalf("history format %q, profile %q", o.HistoryFormat, o.CPUProfile)
	}
	if o := parse(t, "test -w broadcast --bin x"); o.HistoryFormat != results.FormatFull {
		t.Fatalf("default history format %q", o.HistoryFormat)
	}
	bad(t, "test -w broadcast --bin x --history-format edn", "--history-format edn")
}

func TestParseServe(t *testing.T) {
	o, err := ParseServe(nil)
	if err != nil || o.Store != "store" || o.Host != "127.0.0.1" || o.Port != 8080 {
		t.Fatalf("defaults: %+v %v", o, err)
	}
	o, err = ParseServe([]string{"--port", "9000", "/tmp/s", "--host=0.0.0.0"})
	if err != nil || o.Store != "/tmp/s" || o.Host != "0.0.0.0" || o.Port != 9000 {
		t.Fatalf("given: %+v %v", o, err)
	}
	for _, bad := range [][]string{{"--port"}, {"--port", "x"}, {"--port", "70000"}, {"a", "b"}, {"--bogus"}, {"--host="}} {
		if _, err := ParseServe(bad); !errors.Is(err, ErrUsage) {
			t.Errorf("%q: %v, want a usage error", bad, err)
		}
	}
	if _, err := ParseServe([]string{"-h"}); !errors.Is(err, ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
