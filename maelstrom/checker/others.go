package checker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"broadcast/maelstrom/history"
)

// isClient reports whether op is a client op (jepsen's integer :process).
func isClient(op history.Op) bool { return op.Process >= 0 }

// CheckStats is the :stats checker: completions of client ops, overall and
// by f; each f is valid iff it has at least one ok, and the whole is the
// merge of the by-f verdicts (valid when there are none).
func CheckStats(ops []history.Op) Stats {
	st := Stats{ByF: map[string]OpStats{}}
	count := func(s *OpStats, t history.Type) {
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
	for _, op := range ops {
		if !isClient(op) || op.Type == history.Invoke {
			continue
		}
		switch op.Type {
		case history.OK, history.Fail, history.Info:
		default:
			panic(fmt.Sprintf("checker: op %d has unknown type %q", op.Index, op.Type))
		}
		count(&st.OpStats, op.Type)
		s := st.ByF[op.F]
		count(&s, op.Type)
		st.ByF[op.F] = s
	}
	var vs []Validity
	for f, s := range st.ByF {
		s.Valid = Invalid
		if s.OKCount > 0 {
			s.Valid = Valid
		}
		st.ByF[f] = s
		vs = append(vs, s.Valid)
	}
	st.Valid = Merge(vs...)
	return st
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

// CheckAvailability is Maelstrom's availability checker: ok-fraction = client
// oks / client invocations, as a single-precision float (1 with no
// invocations). With threshold "" it is always valid; "total" needs exactly
// 1; a number needs ok-fraction >= it, compared after widening the float, as
// Clojure does (so 9 oks of 10 fail a 0.9 threshold: 0.9f < 0.9).
func CheckAvailability(ops []history.Op, threshold string) Availability {
	var oks, invokes int
	for _, op := range ops {
		if !isClient(op) {
			continue
		}
		switch op.Type {
		case history.OK:
			oks++
		case history.Invoke:
			invokes++
		}
	}
	a := Availability{Valid: Valid, OKFraction: 1}
	if invokes == 0 {
		a.NoInvocations = true
	} else {
		a.OKFraction = float32(float64(oks) / float64(invokes))
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

// validIf maps a bool to Valid or Invalid.
func validIf(b bool) Validity {
	if b {
		return Valid
	}
	return Invalid
}

// CheckNet is the :net checker: the run's counters plus msgs-per-op =
// msg-count / op-count for all and servers, where op-count is every
// non-nemesis invocation. msgs-per-op is omitted when op-count is 0.
func CheckNet(ops []history.Op, net history.Net) Net {
	n := Net{Valid: Valid}
	for _, op := range ops {
		if op.Process != history.NemesisProcess && op.Type == history.Invoke {
			n.OpCount++
		}
	}
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

// CheckExceptions is jepsen's unhandled-exceptions checker: :info ops that
// carry an exception, grouped by class, most frequent first (ties: first
// seen first), each with its first op as the example.
func CheckExceptions(ops []history.Op) Exceptions {
	ex := Exceptions{Valid: Valid}
	at := map[string]int{}
	for _, op := range ops {
		if op.Type != history.Info || op.Exception == "" {
			continue
		}
		i, ok := at[op.Exception]
		if !ok {
			i = len(ex.Groups)
			at[op.Exception] = i
			ex.Groups = append(ex.Groups, ExceptionGroup{Class: op.Exception, Example: op})
		}
		ex.Groups[i].Count++
	}
	sort.SliceStable(ex.Groups, func(a, b int) bool { return ex.Groups[a].Count > ex.Groups[b].Count })
	return ex
}

// checkBench computes the figures beyond Maelstrom.
func checkBench(ops []history.Op, faults []history.Interval) Bench {
	b := Bench{
		Latency: map[string]LatencySummary{},
		Errors:  map[string]map[string]int{},
		Faults:  append([]history.Interval{}, faults...),
	}
	pending := map[int]int{}
	lat := map[string][]int64{}
	for i, op := range ops {
		if !isClient(op) {
			continue
		}
		if op.Type == history.Invoke {
			pending[op.Process] = i
			continue
		}
		inv, ok := pending[op.Process]
		delete(pending, op.Process)
		if op.Type == history.OK && ok {
			lat[op.F] = append(lat[op.F], op.Time-ops[inv].Time)
		}
		if name := ErrorName(op.Error); name != "" && op.Type != history.OK {
			if len(name) > 80 {
				name = name[:80]
			}
			m := b.Errors[op.F]
			if m == nil {
				m = map[string]int{}
				b.Errors[op.F] = m
			}
			m[name]++
		}
	}
	for f, ns := range lat {
		b.Latency[f] = latencySummary(ns)
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
	for _, q := range QuantilePoints {
		l.Quantiles = append(l.Quantiles, MSQuantile{Q: q, MS: float64(s[QuantileIndex(len(s), q)]) / 1e6})
	}
	return l
}

// panicError renders a recovered panic as a checker :error.
func panicError(r any) string {
	return strings.TrimSpace(fmt.Sprint(r))
}
