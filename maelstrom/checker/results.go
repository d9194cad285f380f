package checker

import (
	"broadcast/maelstrom/checker/staleness"
	"broadcast/maelstrom/history"
)

// Validity is a checker verdict: Maelstrom's true, false or :unknown.
type Validity int8

// Verdicts. The zero value is Unknown.
const (
	Unknown Validity = iota
	Valid
	Invalid
)

// String returns "true", "false" or "unknown".
func (v Validity) String() string {
	switch v {
	case Valid:
		return "true"
	case Invalid:
		return "false"
	default:
		return "unknown"
	}
}

// Merge combines verdicts the way jepsen's merge-valid does: false beats
// unknown beats true. Merging nothing gives Valid.
func Merge(vs ...Validity) Validity {
	out := Valid
	for _, v := range vs {
		switch {
		case v == Invalid:
			return Invalid
		case v == Unknown:
			out = Unknown
		}
	}
	return out
}

// Quantile is one point of a latency distribution: the value at Q.
type Quantile struct {
	// Q is the quantile point, one of quantile.Points.
	Q float64
	// Value is the latency in milliseconds at Q.
	Value int64
}

// Quantiles is a latency distribution at quantile.Points; empty when there
// were no samples (Maelstrom then omits the map).
type Quantiles []Quantile

// At returns the value at point q and whether it is present.
func (qs Quantiles) At(q float64) (int64, bool) {
	for _, p := range qs {
		if p.Q == q {
			return p.Value, true
		}
	}
	return 0, false
}

// Element is the per-element state of the set-full checker, as Maelstrom
// reports it in :worst-stale.
type Element struct {
	// Value is the broadcast value.
	Value int64
	// Outcome is "stable", "lost" or "never-read".
	Outcome string
	// StableLatency is in ms, set only for stable elements.
	StableLatency *int64
	// LostLatency is in ms, set only for lost elements.
	LostLatency *int64
	// Known is the op that first showed the element was added (the ok
	// broadcast completion or a read completion); nil if unset.
	Known *OpRef
	// LastPresent is the latest-invoked read invocation that saw it.
	LastPresent *OpRef
	// LastAbsent is the latest-invoked read invocation that missed it.
	LastAbsent *OpRef
	// Invoked is the time of the element's (last) broadcast invocation.
	Invoked int64
}

// OpRef points at one op of the history: its Index and Time, and for the
// elements of :worst-stale the whole op, read back from the history store
// (the checker keeps no op whole while it runs).
type OpRef struct {
	Index int
	Time  int64
	// Op is the whole op; set only in Workload.WorstStale.
	Op  *history.Op
	pos int // position in the history as fed to the checker
}

// Workload is the :workload map: jepsen's set-full checker result.
type Workload struct {
	Valid          Validity
	AttemptCount   int
	StableCount    int
	LostCount      int
	Lost           []int64
	NeverReadCount int
	NeverRead      []int64
	StaleCount     int
	Stale          []int64
	// WorstStale holds up to 8 stale elements, highest stable latency first.
	WorstStale []Element
	// StableLatencies is empty when StableCount is 0.
	StableLatencies Quantiles
	// LostLatencies is empty when LostCount is 0.
	LostLatencies Quantiles
	// DuplicatedCount is always 0 (jepsen 0.3.7 quirk).
	DuplicatedCount int
	// Elements holds every element's state, in value order (not part of
	// Maelstrom's output; the plots use it). Their OpRefs carry no Op.
	Elements []Element
	// Error is set when the checker panicked.
	Error string
}

// OpStats is one group of the :stats map.
type OpStats struct {
	Valid     Validity
	Count     int
	OKCount   int
	FailCount int
	InfoCount int
}

// Stats is the :stats map.
type Stats struct {
	OpStats
	// ByF maps f (broadcast, read) to its stats; only fs that occurred.
	ByF map[string]OpStats
	// Error is set when the checker panicked.
	Error string
}

// Availability is the :availability map.
type Availability struct {
	Valid Validity
	// OKFraction is client oks / client invocations as a single-precision
	// float, as Maelstrom computes it; 1 when there were no invocations.
	OKFraction float32
	// NoInvocations is set when there were no client invocations (Maelstrom
	// then writes the integer 1).
	NoInvocations bool
	// Error is set when the checker panicked or the threshold is not
	// understood.
	Error string
}

// NetGroup is one group of the :net map.
type NetGroup struct {
	SendCount int64
	RecvCount int64
	MsgCount  int64
	// MsgsPerOp is msg-count / op-count as a single-precision float; HasMsgsPerOp
	// says whether it is present (op-count > 0, and not for clients).
	MsgsPerOp    float32
	HasMsgsPerOp bool
}

// Net is the :net map.
type Net struct {
	Valid   Validity
	All     NetGroup
	Clients NetGroup
	Servers NetGroup
	// OpCount is the number of client invocations (not in Maelstrom's map).
	OpCount int
	Error   string
}

// ExceptionGroup is one entry of :exceptions.
type ExceptionGroup struct {
	Count int
	Class string
	// Example is the first :info op that carried this exception class.
	Example history.Op
}

// Exceptions is the :exceptions map.
type Exceptions struct {
	Valid Validity
	// Groups is empty when no op carried an exception (the key is then omitted).
	Groups []ExceptionGroup
	Error  string
}

// Perf is the :perf map; always valid in Maelstrom.
type Perf struct {
	Valid             Validity
	LatencyGraphValid Validity
	RateGraphValid    Validity
}

// Timeline is the :timeline map; always valid.
type Timeline struct {
	Valid Validity
}

// Results is the whole checker result: Maelstrom's map plus a clearly
// separated bench extension.
type Results struct {
	Perf         Perf
	Timeline     Timeline
	Exceptions   Exceptions
	Stats        Stats
	Availability Availability
	Net          Net
	Workload     Workload
	// Valid is the merged verdict of the parts above.
	Valid Validity
	// Bench holds figures beyond Maelstrom; never part of the
	// Maelstrom-shaped maps.
	Bench Bench
	// Spans are the client ops, one per completion with an invocation, in
	// completion order, for the plots (not rendered in results files).
	Spans []Span
	// LastTime is the latest op time of the history (ns), for plot axes.
	LastTime int64
}

// Span is one completed client op: what the latency and rate plots draw.
type Span struct {
	F      string
	Type   history.Type
	Invoke int64 // invocation time, ns
	Done   int64 // completion time, ns
	Final  bool
}

// MSQuantile is one point of a client latency distribution.
type MSQuantile struct {
	// Q is the quantile point, one of quantile.Points.
	Q float64
	// MS is the latency in milliseconds (fractional).
	MS float64
}

// LatencySummary is a client operation latency distribution for one f, over
// ok completions (completion time - invocation time).
type LatencySummary struct {
	// Count is the number of ok completions the quantiles are over.
	Count int
	// Quantiles are at quantile.Points, with the same index rule as
	// Maelstrom's; empty when Count is 0.
	Quantiles []MSQuantile
	// MeanMS is the mean ok latency in ms (0 when Count is 0).
	MeanMS float64
}

// At returns the latency in ms at point q and whether it is present.
func (l LatencySummary) At(q float64) (float64, bool) {
	for _, p := range l.Quantiles {
		if p.Q == q {
			return p.MS, true
		}
	}
	return 0, false
}

// Params are the run's parameters, when the runner supplies them.
type Params struct {
	NodeCount   int     `json:"node-count"`
	Concurrency int     `json:"concurrency"`
	TimeLimit   float64 `json:"time-limit"`
	Rate        float64 `json:"rate"`
	Latency     int     `json:"latency"`
	LatencyDist string  `json:"latency-dist,omitempty"`
	Topology    string  `json:"topology,omitempty"`
	Nemesis     string  `json:"nemesis,omitempty"`
	Bin         string  `json:"bin,omitempty"`
}

// Bench holds the bench's own figures.
type Bench struct {
	// Params are the run parameters, nil if the runner gave none.
	Params *Params
	// Latency maps f to client operation latency over ok completions
	// (broadcast: acknowledgement latency). Reported beside the workload's
	// stable latencies, which measure something else (visibility).
	Latency map[string]LatencySummary
	// Faults are the partition/kill intervals of the run.
	Faults []history.Interval
	// Errors maps f to error name to count, over fail and info completions.
	Errors map[string]map[string]int
	// AvailabilityThreshold is the --availability setting, if any.
	AvailabilityThreshold string
	// Staleness holds staleness while reachable and after heal (nil if
	// their checker panicked: see StalenessError).
	Staleness      *staleness.Figures
	StalenessError string
	// OpRate is the main phase's client invocations per minute, from the
	// first client invocation; final reads are not counted.
	OpRate []MinuteRate
}

// MinuteRate is one minute of the main phase.
type MinuteRate struct {
	// Minute counts from 0 at the first client invocation.
	Minute int
	// Invocations is the number of client invocations in the minute.
	Invocations int
	// Seconds is the minute's length within the main phase (60, or less
	// for the last one); PerSecond is Invocations / Seconds.
	Seconds   float64
	PerSecond float64
}
