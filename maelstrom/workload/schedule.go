package workload

import "math/rand/v2"

// Op is one generated client operation.
type Op struct {
	// F is "broadcast" or "read".
	F string
	// Value is the broadcast value (meaningless for reads).
	Value int64
}

// Schedule generates the main-phase operations: jepsen's stagger over a
// uniform mix of broadcasts (values from one counter: 0, 1, 2, ...) and
// reads.
type Schedule struct {
	r         *rand.Rand
	gapBound  int64 // 2/R in ns; 0 when R == 0
	nextValue int64
}

// NewSchedule returns a schedule for rate R ops/s drawing from r.
func NewSchedule(rate float64, r *rand.Rand) *Schedule {
	s := &Schedule{r: r}
	if rate > 0 {
		s.gapBound = int64(2e9 / rate)
		if s.gapBound < 1 {
			s.gapBound = 1
		}
	}
	return s
}

// Gap draws the delay from one op's issue time to the next op's scheduled
// time: uniform on [0, 2/R) in nanoseconds.
func (s *Schedule) Gap() int64 { return s.r.Int64N(s.gapBound) }

// Next draws the next operation: broadcast or read with probability 1/2
// each; broadcasts take the next value.
func (s *Schedule) Next() Op {
	if s.r.IntN(2) == 0 {
		v := s.nextValue
		s.nextValue++
		return Op{F: "broadcast", Value: v}
	}
	return Op{F: "read"}
}
