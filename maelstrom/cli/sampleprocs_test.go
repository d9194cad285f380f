package cli

import (
	"testing"
	"time"
)

// Rule: --sample-procs takes seconds or a Go duration, must be positive,
// and is off by default.
func TestSampleProcsFlag(t *testing.T) {
	base := []string{"test", "-w", "broadcast", "--bin", "/bin/true"}
	o, err := Parse(base)
	if err != nil || o.SampleProcs != 0 {
		t.Fatalf("default: %v, %v; want off", o.SampleProcs, err)
	}
	for v, want := range map[string]time.Duration{"10s": 10 * time.Second, "10": 10 * time.Second, "0.5": 500 * time.Millisecond, "250ms": 250 * time.Millisecond} {
		o, err := Parse(append(base, "--sample-procs", v))
		if err != nil || o.SampleProcs != want {
			t.Errorf("--sample-procs %s = %v, %v; want %v", v, o.SampleProcs, err, want)
		}
	}
	for _, v := range []string{"0", "-1s", "soon", "NaN"} {
		if _, err := Parse(append(base, "--sample-procs", v)); err == nil {
			t.Errorf("--sample-procs %s accepted", v)
		}
	}
}
