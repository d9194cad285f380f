package checker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"broadcast/maelstrom/history"
	"broadcast/maelstrom/quantile"
)

// isClient reports whether op is a client op (jepsen's integer :process).
func isClient(op *history.Op) bool { return op.Process >= 0 }

// statsPart is the :stats checker, fed one op at a time: completions of
// client ops, overall and by f.
type statsPart struct{ st Stats }

func newStatsPart() *statsPart { return &statsPart{st: Stats{ByF: map[string]OpStats{}}} }

func (p *statsPart) observe(op *history.Op) {
	if !isClient(op) || op.Type == history.Invoke {
		return
	}
	switch op.Type {
	case history.OK, history.Fail, history.Info:
	default:
		panic(fmt.Sprintf("checker: op %d has unknown type %q", op.Index, op.Type))
	}
	countType(&p.st.OpStats, op.Type)
	s := p.st.ByF[op.F]
	countType(&s, op.Type)
	p.st.ByF[op.F] = s
}

func countType(s *OpStats, t history.Type) {
	s.Count++
	switch t {
	case history.OK:
		s.OKCount++
	case history.Fail:
		s.FailCount++
	case history.Info:
		s.InfoCount++
	}
}

// result makes each f valid iff it has at least one ok, and the whole the
// merge of the by-f verdicts (valid when there are none).
func (p *statsPart) result() Stats {
	st := p.st
	var vs []Validity
	for f, s := range st.ByF {
		s.Valid = validIf(s.OKCount > 0)
		st.ByF[f] = s
		vs = append(vs, s.Valid)
	}
	st.Valid = Merge(vs...)
	return st
}

// CheckStats is the :stats checker over a whole history.
func CheckStats(ops []history.Op) Stats {
	p := newStatsPart()
	for i := range ops {
		p.observe(&ops[i])
	}
	return p.result()
}

// ParseAvailability checks an --availability value: "" (no requirement),
// "total", or a number in [0, 1].
func ParseAvailability(a string) (total bool, min float64, set bool, err error) {
	switch a {
	case "":
		return false, 0, false, nil
	case "total":
		return true, 1, true, nil
	}
	f, err := strconv.ParseFloat(a, 64)
	if err != nil || f < 0 || f > 1 {
		return false, 0, false, fmt.Errorf("checker: --availability must be total or a number in [0, 1], not %q", a)
	}
	return false, f, true, nil
}

// availabilityPart counts client oks and invocations.
type availabilityPart struct{ oks, invokes int }

func (p *availabilityPart) observe(op *history.Op) {
	if !isClient(op) {
		return
	}
	switch op.Type {
	case history.OK:
		p.oks++
	case history.Invoke:
		p.invokes++
	}
}

// result is Maelstrom's availability checker: ok-fraction = client oks /
// client invocations, as a single-precision float (1 with no invocations).
// With threshold "" it is always valid; "total" needs exactly 1; a number
// needs ok-fraction >= it, compared after widening the float, as Clojure
// does (so 9 oks of 10 fail a 0.9 threshold: 0.9f < 0.9).
func (p *availabilityPart) result(threshold string) Availability {
	a := Availability{Valid: Valid, OKFraction: 1}
	if p.invokes == 0 {
		a.NoInvocations = true
	} else {
		a.OKFraction = float32(float64(p.oks) / float64(p.invokes))
	}
	total, min, set, err := ParseAvailability(threshold)
	switch {
	case err != nil:
		a.Valid, a.Error = Unknown, err.Error()
	case !set:
	case total:
		a.Valid = validIf(a.OKFraction == 1)
	default:
		a.Valid = validIf(min <= float64(a.OKFraction))
	}
	return a
}

// CheckAvailability is the availability checker over a whole history.
func CheckAvailability(ops []history.Op, threshold string) Availability {
	var p availabilityPart
	for i := range ops {
		p.observe(&ops[i])
	}
	return p.result(threshold)
}

// validIf maps a bool to Valid or Invalid.
func validIf(b bool) Validity {
	if b {
		return Valid
	}
	return Invalid
}

// netPart counts op-count: every non-nemesis invocation.
type netPart struct{ opCount int }

func (p *netPart) observe(op *history.Op) {
	if op.Process != history.NemesisProcess && op.Type == history.Invoke {
		p.opCount++
	}
}

// result is the :net checker: the run's counters plus msgs-per-op =
// msg-count / op-count for all and servers, omitted when op-count is 0.
func (p *netPart) result(net history.Net) Net {
	n := Net{Valid: Valid, OpCount: p.opCount}
	group := func(c history.Counts, perOp bool) NetGroup {
		g := NetGroup{SendCount: c.Send, RecvCount: c.Recv, MsgCount: c.Msg}
		if perOp && n.OpCount > 0 {
			g.MsgsPerOp = float32(float64(c.Msg) / float64(n.OpCount))
			g.HasMsgsPerOp = true
		}
		return g
	}
	n.All = group(net.All, true)
	n.Clients = group(net.Clients, false)
	n.Servers = group(net.Servers, true)
	return n
}

// CheckNet is the :net checker over a whole history.
func CheckNet(ops []history.Op, net history.Net) Net {
	var p netPart
	for i := range ops {
		p.observe(&ops[i])
	}
	return p.result(net)
}

// exceptionsPart is jepsen's unhandled-exceptions checker: :info ops that
// carry an exception, grouped by class, each with its first op.
type exceptionsPart struct {
	ex Exceptions
	at map[string]int
}

func (p *exceptionsPart) observe(op *history.Op) {
	if op.Type != history.Info || op.Exception == "" {
		return
	}
	if p.at == nil {
		p.at = map[string]int{}
	}
	i, ok := p.at[op.Exception]
	if !ok {
		i = len(p.ex.Groups)
		p.at[op.Exception] = i
		p.ex.Groups = append(p.ex.Groups, ExceptionGroup{Class: op.Exception, Example: *op})
	}
	p.ex.Groups[i].Count++
}

// result orders the groups most frequent first (ties: first seen first).
func (p *exceptionsPart) result() Exceptions {
	ex := p.ex
	ex.Valid = Valid
	ex.Groups = append([]ExceptionGroup(nil), ex.Groups...)
	sort.SliceStable(ex.Groups, func(a, b int) bool { return ex.Groups[a].Count > ex.Groups[b].Count })
	return ex
}

// CheckExceptions is the exceptions checker over a whole history.
func CheckExceptions(ops []history.Op) Exceptions {
	var p exceptionsPart
	for i := range ops {
		p.observe(&ops[i])
	}
	return p.result()
}

// benchPart computes the figures beyond Maelstrom: client latency and
// error counts per f, the spans the plots draw, the op rate per minute.
type benchPart struct {
	pending  map[int]benchInv
	lat      map[string][]int64
	errors   map[string]map[string]int
	spans    []Span
	last     int64
	first    int64 // first main-phase client invocation, -1 before it
	lastMain int64
	minutes  []int
}

type benchInv struct {
	time  int64
	final bool
}

func newBenchPart() *benchPart {
	return &benchPart{pending: map[int]benchInv{}, lat: map[string][]int64{}, errors: map[string]map[string]int{}, first: -1}
}

func (p *benchPart) observe(op *history.Op) {
	p.last = max(p.last, op.Time)
	if !isClient(op) {
		return
	}
	if op.Type == history.Invoke {
		p.pending[op.Process] = benchInv{time: op.Time, final: op.Final}
		if !op.Final {
			if p.first < 0 {
				p.first = op.Time
			}
			p.lastMain = max(p.lastMain, op.Time)
			m := int((op.Time - p.first) / 60e9)
			if m >= 0 {
				for len(p.minutes) <= m {
					p.minutes = append(p.minutes, 0)
				}
				p.minutes[m]++
			}
		}
		return
	}
	inv, ok := p.pending[op.Process]
	delete(p.pending, op.Process)
	if ok {
		p.spans = append(p.spans, Span{F: op.F, Type: op.Type, Invoke: inv.time, Done: op.Time, Final: inv.final})
		if op.Type == history.OK {
			p.lat[op.F] = append(p.lat[op.F], op.Time-inv.time)
		}
	}
	countError(p.errors, op)
}

// countError counts a fail or info completion's error under its f and
// name (cut to 80 bytes).
func countError(errors map[string]map[string]int, op *history.Op) {
	name := ErrorName(op.Error)
	if name == "" || op.Type == history.OK {
		return
	}
	if len(name) > 80 {
		name = name[:80]
	}
	m := errors[op.F]
	if m == nil {
		m = map[string]int{}
		errors[op.F] = m
	}
	m[name]++
}

// result returns the Bench figures; mainSeconds is the main phase's length
// (0: up to the last main-phase invocation).
func (p *benchPart) result(faults []history.Interval, mainSeconds float64) Bench {
	b := Bench{
		Latency: map[string]LatencySummary{},
		Errors:  p.errors,
		Faults:  append([]history.Interval{}, faults...),
	}
	for f, ns := range p.lat {
		b.Latency[f] = latencySummary(ns)
	}
	if mainSeconds <= 0 && p.first >= 0 {
		mainSeconds = float64(p.lastMain-p.first) / 1e9
	}
	for m, n := range p.minutes {
		secs := min(60, mainSeconds-60*float64(m))
		if secs <= 0 {
			secs = 60
		}
		b.OpRate = append(b.OpRate, MinuteRate{Minute: m, Invocations: n, Seconds: secs, PerSecond: float64(n) / secs})
	}
	return b
}

// latencySummary turns latencies in ns into a LatencySummary in ms.
func latencySummary(ns []int64) LatencySummary {
	s := append([]int64(nil), ns...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	l := LatencySummary{Count: len(s)}
	if len(s) == 0 {
		return l
	}
	var sum float64
	for _, x := range s {
		sum += float64(x)
	}
	l.MeanMS = sum / float64(len(s)) / 1e6
	for _, q := range quantile.Points {
		l.Quantiles = append(l.Quantiles, MSQuantile{Q: q, MS: float64(s[quantile.Index(len(s), q)]) / 1e6})
	}
	return l
}

// panicError renders a recovered panic as a checker :error.
func panicError(r any) string {
	return strings.TrimSpace(fmt.Sprint(r))
}
