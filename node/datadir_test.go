package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// writeStat writes a fake /proc/<pid>/stat with the given comm and start time.
func writeStat(t *testing.T, procDir string, pid int, comm string, start uint64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(procDir, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(procDir, fmt.Sprint(pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Fields 3..21 filled with placeholders, field 22 = start, then more.
	fields := []string{"S"}
	for i := 4; i <= 21; i++ {
		fields = append(fields, fmt.Sprint(i))
	}
	fields = append(fields, fmt.Sprint(start), "999", "1000")
	line := fmt.Sprintf("%d (%s) %s\n", pid, comm, strings.Join(fields, " "))
	if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Rule: field 22 of /proc/<pid>/stat, even when comm holds spaces and ')'.
func TestProcessStartTime(t *testing.T) {
	proc := t.TempDir()
	writeStat(t, proc, 42, "weird) (name", 123456)
	if got, err := processStartTime(proc, 42); err != nil || got != 123456 {
		t.Fatalf("got %d %v, want 123456", got, err)
	}
	if _, err := processStartTime(proc, 43); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing pid: %v", err)
	}
	if runtime.GOOS == "linux" {
		a, err := processStartTime("/proc", os.Getpid())
		if err != nil || a == 0 {
			t.Fatalf("own start time: %d %v", a, err)
		}
	}
}

// Rule: the three data directory rules, in order.
func TestResolveDataDir(t *testing.T) {
	proc := t.TempDir()
	writeStat(t, proc, 7, "maelstrom", 555)
	base := DefaultConfig()
	base.TempDir = "/tmpx"
	base.ProcDir = proc
	base.ParentPID = 7

	c := base
	c.DataDir, c.RunDir = "/data", "/run"
	if dir, rule, _, err := resolveDataDir(&c, "n3"); err != nil || dir != "/data/n3" || rule != ruleDataDir {
		t.Errorf("rule 1: %s %d %v", dir, rule, err)
	}
	c = base
	c.RunDir = "/run"
	if dir, rule, _, err := resolveDataDir(&c, "n3"); err != nil || dir != "/run/data/n3" || rule != ruleRunDir {
		t.Errorf("rule 2: %s %d %v", dir, rule, err)
	}
	c = base
	if dir, rule, note, err := resolveDataDir(&c, "n3"); err != nil || note != nil || dir != "/tmpx/broadcast-7-555/n3" || rule != ruleParent {
		t.Errorf("rule 3: %s %d %v %v", dir, rule, note, err)
	}
	c.ProcDir = filepath.Join(proc, "missing") // no process table (not Linux)
	if dir, rule, note, err := resolveDataDir(&c, "n3"); err != nil || note == nil || dir != "/tmpx/broadcast-7-0/n3" || rule != ruleParent {
		t.Errorf("rule 3 without /proc: %s %d %v %v", dir, rule, note, err)
	}
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`} {
		if _, _, _, err := resolveDataDir(&c, bad); !errors.Is(err, errBadNodeID) {
			t.Errorf("node id %q accepted: %v", bad, err)
		}
	}
}

// Rule: rule-3 directories of dead parents (or reused pids) are removed;
// live ones and unrelated names are kept.
func TestRemoveStaleParentDirs(t *testing.T) {
	proc, tmp := t.TempDir(), t.TempDir()
	writeStat(t, proc, 10, "alive", 100)
	writeStat(t, proc, 11, "reused", 999)
	for _, name := range []string{"broadcast-10-100", "broadcast-11-100", "broadcast-12-100", "broadcast-x-1", "broadcast-010-100", "other"} {
		if err := os.MkdirAll(filepath.Join(tmp, name, "n1"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if removed, err := removeStaleParentDirs(tmp, filepath.Join(proc, "missing")); err != nil || len(removed) != 0 {
		t.Fatalf("without a process table removed %v (%v), want nothing", removed, err)
	}
	removed, err := removeStaleParentDirs(tmp, proc)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range removed {
		names = append(names, filepath.Base(p))
	}
	slices.Sort(names)
	if want := []string{"broadcast-11-100", "broadcast-12-100"}; !slices.Equal(names, want) {
		t.Fatalf("removed %v, want %v", names, want)
	}
	for _, keep := range []string{"broadcast-10-100", "broadcast-x-1", "broadcast-010-100", "other"} {
		if _, err := os.Stat(filepath.Join(tmp, keep)); err != nil {
			t.Errorf("%s removed: %v", keep, err)
		}
	}
}

// Rule 3 end to end: a restart by the same parent (init id >= node count)
// recovers; an init whose id is below the node count marks a new network
// and discards the state; a dead parent's directory is removed at init.
func TestParentRuleThroughInit(t *testing.T) {
	proc, tmp := t.TempDir(), t.TempDir()
	writeStat(t, proc, 7, "maelstrom", 555)
	if err := os.MkdirAll(filepath.Join(tmp, "broadcast-8-1", "n1"), 0o755); err != nil {
		t.Fatal(err)
	}
	mod := func(c *Config) {
		c.OpenLog = nil // the real store
		c.RunDir = ""
		c.TempDir, c.ProcDir, c.ParentPID = tmp, proc, 7
	}
	start := func(netID int) *harness {
		h := newHarness(t, mod)
		out := h.roundTrip(fmt.Sprintf(`{"id":%d,"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1","n2","n3"]}}`, netID))
		if len(out) != 1 || !strings.Contains(out[0], "init_ok") {
			t.Fatalf("init: %q", out)
		}
		return h
	}
	h := start(0)
	if _, err := os.Stat(filepath.Join(tmp, "broadcast-8-1")); !os.IsNotExist(err) {
		t.Errorf("dead parent's directory kept: %v", err)
	}
	h.send(`{"src":"c1","dest":"n1","body":{"type":"broadcast","msg_id":2,"message":9}}`)
	if line := h.nextLine(); !strings.Contains(line, "broadcast_ok") {
		t.Fatalf("ack: %s", line)
	}
	h.n.Stop()
	if _, err := os.Stat(filepath.Join(tmp, "broadcast-7-555", "n1")); err != nil {
		t.Fatalf("rule 3 directory: %v", err)
	}

	h = start(40) // a restart within the same network
	if got := h.read(); !slices.Equal(got, []int64{9}) {
		t.Fatalf("restart by the same parent: read %v, want [9]", got)
	}
	h.n.Stop()

	h = start(2) // id 2 < 3 nodes: a new network in the same Maelstrom process
	if got := h.read(); len(got) != 0 {
		t.Fatalf("new network: read %v, want [] (old state discarded)", got)
	}
	if !strings.Contains(h.logs.all(), "new network") {
		t.Errorf("discard not logged")
	}
}
