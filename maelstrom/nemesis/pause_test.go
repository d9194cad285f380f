package nemesis

import (
	"context"
	"strings"
	"testing"
	"time"

	"broadcast/maelstrom/history"
)

func (f *fakeCtl) Pause(n string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead[n] {
		f.events = append(f.events, "pause-dead-"+n)
	}
	if f.paused[n] {
		f.events = append(f.events, "pause-paused-"+n)
	}
	f.paused[n] = true
	f.events = append(f.events, "pause "+n)
	return nil
}

func (f *fakeCtl) Resume(n string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.paused[n] {
		f.events = append(f.events, "resume-running-"+n)
	}
	delete(f.paused, n)
	f.events = append(f.events, "resume "+n)
	return nil
}

func runWith(t *testing.T, cfg Config, limit time.Duration) (*Nemesis, *fakeCtl, *recorder) {
	t.Helper()
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	ctl := newFake(nodeNames(5))
	rec := &recorder{}
	cfg.Nodes, cfg.Record, cfg.Now = ctl.nodes, rec.add, now
	if cfg.Interval == 0 {
		cfg.Interval = 20 * time.Millisecond
	}
	nem, err := New(cfg, ctl)
	if err != nil {
		t.Fatal(err)
	}
	t0 := now()
	nem.Run(context.Background(), t0, t0+int64(limit))
	nem.Final()
	return nem, ctl, rec
}

// Rule: pause and resume alternate; pause stops one node that is up and not
// paused, resume restarts every paused node; ops are :info pairs from the
// nemesis process, recorded as {node "paused"} / {node "resumed"}; each
// pause is one fault interval of kind pause; Final resumes everything.
func TestPauseSchedule(t *testing.T) {
	nem, ctl, rec := runWith(t, Config{Faults: []string{FaultPause}}, 300*time.Millisecond)
	ops := rec.ops
	if len(ops) < 4 || len(ops)%2 != 0 {
		t.Fatalf("%d ops", len(ops))
	}
	pauses := 0
	for i := 0; i+1 < len(ops); i += 2 {
		inv, comp := ops[i], ops[i+1]
		want := "pause"
		if (i/2)%2 == 1 || i == len(ops)-2 {
			want = "resume"
		}
		if inv.F != want || comp.F != want || inv.Type != history.Info || comp.Type != history.Info || inv.Process != history.NemesisProcess {
			t.Fatalf("pair %d: %+v %+v (want %s)", i, inv, comp, want)
		}
		m, ok := comp.Value.(map[string]string)
		if !ok {
			t.Fatalf("completion value %#v", comp.Value)
		}
		if want == "pause" {
			if len(m) != 1 {
				t.Fatalf("pause completion %v: want one node", m)
			}
			for _, v := range m {
				if v != "paused" {
					t.Fatalf("pause completion %v", m)
				}
			}
			pauses++
		}
	}
	for _, e := range ctl.events {
		if strings.Contains(e, "-") {
			t.Fatalf("bad event %s in %v", e, ctl.events)
		}
	}
	if len(ctl.paused) != 0 {
		t.Fatalf("paused after Final: %v", ctl.paused)
	}
	iv := nem.Faults(0)
	if len(iv) != pauses {
		t.Fatalf("%d intervals for %d pauses", len(iv), pauses)
	}
	for _, f := range iv {
		if f.Kind != FaultPause || f.End < f.Start || f.Detail == "" {
			t.Fatalf("interval %+v", f)
		}
	}
}

// Rule: with --nemesis-targets, kill and pause only ever pick the targets.
func TestTargets(t *testing.T) {
	_, ctl, _ := runWith(t, Config{Faults: []string{FaultPause, FaultKill}, Targets: []string{"n3"}}, 300*time.Millisecond)
	hit := 0
	for _, e := range ctl.events {
		if strings.HasPrefix(e, "pause ") {
			hit++
			if e != "pause n3" {
				t.Fatalf("pause of a non-target: %v", ctl.events)
			}
		}
		if strings.Contains(e, "-") {
			t.Fatalf("bad event %s in %v", e, ctl.events)
		}
	}
	if hit == 0 || ctl.restarts["n3"] == 0 {
		t.Fatalf("targets never hit: %v", ctl.events)
	}
	for n, k := range ctl.restarts {
		if n != "n3" && k > 0 {
			t.Fatalf("kill of non-target %s", n)
		}
	}
	if _, err := New(Config{Faults: []string{FaultKill}, Nodes: nodeNames(3), Targets: []string{"n7"}}, ctl); err == nil {
		t.Fatal("unknown target accepted")
	}
}

// Rule: a kill of a paused node ends its pause (its interval closes at the
// kill, and the next resume leaves the restarted node alone); a dead node is
// never paused, and when nothing can be paused the op completes with {}.
func TestPauseMeetsKill(t *testing.T) {
	ctl := newFake(nodeNames(2))
	rec := &recorder{}
	var clock int64
	nem, err := New(Config{Faults: []string{FaultPause, FaultKill}, Nodes: ctl.nodes, Record: rec.add,
		Now: func() int64 { clock++; return clock }}, ctl)
	if err != nil {
		t.Fatal(err)
	}
	r := nem.rng("test")
	nem.pauseOne(0, r)
	nem.pauseOne(0, r) // the other node
	nem.pauseOne(0, r) // nothing left: {}
	if got := rec.ops[len(rec.ops)-1].Value.(map[string]string); len(got) != 0 {
		t.Fatalf("third pause completed with %v, want {}", got)
	}
	nem.kill([]string{"n0"}, FaultKill)
	nem.startKilled(0, r)
	nem.resumePaused(0, r)
	if got := rec.ops[len(rec.ops)-1].Value.(map[string]string); len(got) != 1 || got["n1"] != "resumed" {
		t.Fatalf("resume completed with %v, want {n1 resumed}", got)
	}
	for _, e := range ctl.events {
		if strings.Contains(e, "-") {
			t.Fatalf("bad event %s in %v", e, ctl.events)
		}
	}
	ctl.dead["n1"] = true
	nem.pauseOne(0, r)
	if got := rec.ops[len(rec.ops)-1].Value.(map[string]string); len(got) != 1 || got["n0"] != "paused" {
		t.Fatalf("pause with n1 dead completed with %v, want {n0 paused}", got)
	}
	var killEnd, pauseEnd int64 = -1, -2
	for _, f := range nem.Faults(1 << 40) {
		if f.Detail == "n0" && f.Kind == FaultKill {
			killEnd = f.Start
		}
		if f.Detail == "n0" && f.Kind == FaultPause && pauseEnd == -2 {
			pauseEnd = f.End
		}
	}
	if pauseEnd != killEnd {
		t.Fatalf("n0's first pause ends at %d, its kill starts at %d: want equal", pauseEnd, killEnd)
	}
}
