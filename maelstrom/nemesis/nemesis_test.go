package nemesis

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"broadcast/maelstrom/history"
)

// fakeCtl records what the nemesis does.
type fakeCtl struct {
	mu       sync.Mutex
	nodes    []string
	dead     map[string]bool
	grudge   map[string][]string
	events   []string
	restarts map[string]int
	paused   map[string]bool
}

func newFake(nodes []string) *fakeCtl {
	return &fakeCtl{nodes: nodes, dead: map[string]bool{}, restarts: map[string]int{}, paused: map[string]bool{}}
}

func (f *fakeCtl) Partition(g map[string][]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.grudge != nil {
		f.events = append(f.events, "partition-without-heal")
	}
	f.grudge = g
	f.events = append(f.events, "partition")
}
func (f *fakeCtl) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.grudge = nil
	f.events = append(f.events, "heal")
}
func (f *fakeCtl) Kill(n string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead[n] {
		f.events = append(f.events, "kill-dead-"+n)
	}
	f.dead[n] = true
	delete(f.paused, n)
	f.events = append(f.events, "kill")
	return nil
}
func (f *fakeCtl) Restart(n string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.dead[n] {
		f.events = append(f.events, "restart-live-"+n)
	}
	delete(f.dead, n)
	f.restarts[n]++
	f.events = append(f.events, "restart")
	return nil
}
func (f *fakeCtl) Live() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.nodes {
		if !f.dead[n] {
			out = append(out, n)
		}
	}
	return out
}
func (f *fakeCtl) Killed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.nodes {
		if f.dead[n] {
			out = append(out, n)
		}
	}
	return out
}

type recorder struct {
	mu  sync.Mutex
	ops []history.Op
}

func (r *recorder) add(op history.Op) {
	r.mu.Lock()
	op.Index = len(r.ops)
	r.ops = append(r.ops, op)
	r.mu.Unlock()
}

func run(t *testing.T, faults []string, limit time.Duration) (*Nemesis, *fakeCtl, *recorder, int64, int64) {
	t.Helper()
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	ctl := newFake(nodeNames(5))
	rec := &recorder{}
	nem, err := New(Config{Faults: faults, Interval: 20 * time.Millisecond, Nodes: ctl.nodes, Seed: 3, Record: rec.add, Now: now}, ctl)
	if err != nil {
		t.Fatal(err)
	}
	t0 := now()
	cutoff := t0 + int64(limit)
	nem.Run(context.Background(), t0, cutoff)
	nem.Final()
	return nem, ctl, rec, t0, cutoff
}

// Reference: MODEL.md, "Partitions" schedule: start/stop alternate from the first op, ops are
// issued before the cutoff only, each op is an :info invoke/complete pair
// from the nemesis process, and the final phase always heals.
func TestPartitionSchedule(t *testing.T) {
	nem, ctl, rec, t0, cutoff := run(t, []string{FaultPartition}, 400*time.Millisecond)
	ops := rec.ops
	if len(ops) < 4 || len(ops)%2 != 0 {
		t.Fatalf("%d ops", len(ops))
	}
	var last int64 = t0
	for i := 0; i+1 < len(ops); i += 2 {
		inv, comp := ops[i], ops[i+1]
		want := "start-partition"
		if (i/2)%2 == 1 {
			want = "stop-partition"
		}
		if i == len(ops)-2 {
			want = "stop-partition" // the final heal
		} else if inv.Time >= cutoff || inv.Time < last {
			t.Fatalf("op %d at %d outside [%d, %d)", i, inv.Time, last, cutoff)
		}
		last = inv.Time
		if inv.F != want || comp.F != want || inv.Type != history.Info || comp.Type != history.Info ||
			inv.Process != history.NemesisProcess || comp.Time < inv.Time {
			t.Fatalf("pair %d: %+v %+v (want %s)", i, inv, comp, want)
		}
		if want == "start-partition" {
			shape, _ := inv.Value.(string)
			v, _ := comp.Value.([]any)
			if len(v) != 2 || v[0] != "isolated" || shape == "" {
				t.Fatalf("start-partition values %v / %v", inv.Value, comp.Value)
			}
		} else if comp.Value != "network-healed" {
			t.Fatalf("stop-partition completion %v", comp.Value)
		}
	}
	for _, e := range ctl.events {
		if e == "partition-without-heal" && ctl.events[0] != e {
			t.Fatalf("a start did not follow a stop: %v", ctl.events)
		}
	}
	if ctl.grudge != nil {
		t.Fatal("not healed at the end")
	}
	for _, f := range nem.Faults(cutoff) {
		if f.Kind != FaultPartition || f.End < f.Start {
			t.Fatalf("interval %+v", f)
		}
	}
	if nem.Active() != "" {
		t.Fatalf("active after final: %q", nem.Active())
	}
}

// Kill kills a live node and start restarts that node; kill-all happens
// exactly once; Final restarts everything the nemesis killed.
func TestKillSchedules(t *testing.T) {
	_, ctl, rec, _, _ := run(t, []string{FaultKill, FaultKillAll}, 300*time.Millisecond)
	for _, e := range ctl.events {
		if strings.HasPrefix(e, "kill-") || strings.HasPrefix(e, "restart-") {
			t.Fatalf("bad lifecycle event %s in %v", e, ctl.events)
		}
	}
	if len(ctl.Killed()) != 0 {
		t.Fatalf("still dead after Final: %v", ctl.Killed())
	}
	killAlls := 0
	for _, op := range rec.ops {
		if op.F == "kill-all" && op.Value == "all" {
			killAlls++
		}
	}
	if killAlls != 1 {
		t.Fatalf("%d kill-all invocations, want 1", killAlls)
	}
	if last := rec.ops[len(rec.ops)-2]; last.F != "start" || last.Value != "all" {
		t.Fatalf("final op %+v", last)
	}
}

func TestBadFault(t *testing.T) {
	if _, err := New(Config{Faults: []string{"freeze"}}, newFake(nil)); err == nil {
		t.Fatal("freeze accepted")
	}
}
