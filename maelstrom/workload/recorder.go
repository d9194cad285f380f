package workload

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"broadcast/maelstrom/history"
)

// Recorder is the run's history: it assigns indexes in record order and
// logs each op as a jepsen.util line. Safe for concurrent use.
type Recorder struct {
	concurrency int
	logf        func(format string, args ...any)

	mu  sync.Mutex // protects ops
	ops []history.Op

	invokes, oks, fails, infos atomic.Int64
}

// NewRecorder returns an empty history for C worker threads; logf receives
// one line per op (nil discards).
func NewRecorder(concurrency int, logf func(format string, args ...any)) *Recorder {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if concurrency < 1 {
		concurrency = 1
	}
	return &Recorder{concurrency: concurrency, logf: logf}
}

// Add appends op, assigning its Index, and returns it.
func (r *Recorder) Add(op history.Op) history.Op {
	r.mu.Lock()
	op.Index = len(r.ops)
	r.ops = append(r.ops, op)
	r.mu.Unlock()
	if op.Process != history.NemesisProcess {
		switch op.Type {
		case history.Invoke:
			r.invokes.Add(1)
		case history.OK:
			r.oks.Add(1)
		case history.Fail:
			r.fails.Add(1)
		case history.Info:
			r.infos.Add(1)
		}
	}
	thread := "jepsen nemesis"
	proc := ":nemesis"
	if op.Process != history.NemesisProcess {
		thread = "jepsen worker " + strconv.Itoa(op.Process%r.concurrency)
		proc = strconv.Itoa(op.Process)
	}
	line := proc + "\t:" + string(op.Type) + "\t:" + op.F + "\t" + EDN(op.Value)
	if op.Error != nil {
		line += "\t" + EDN(op.Error)
	}
	r.logf("INFO [%s] jepsen.util: %s", thread, line)
	return op
}

// Ops returns a copy of the history so far.
func (r *Recorder) Ops() []history.Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]history.Op(nil), r.ops...)
}

// Counts returns client invocations and ok/fail/info completions so far.
func (r *Recorder) Counts() (invokes, oks, fails, infos int64) {
	return r.invokes.Load(), r.oks.Load(), r.fails.Load(), r.infos.Load()
}

// EDN renders a history value roughly as Clojure would print it: nil,
// numbers, keywords for bare names, strings quoted, vectors, maps.
func EDN(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case string:
		if x != "" && !strings.ContainsAny(x, " \t\n\"\\:,[]{}()") && !strings.HasPrefix(x, "indeterminate") {
			return ":" + x
		}
		return strconv.Quote(x)
	case []json.RawMessage:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = string(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok && i > 0 {
				parts[i] = strconv.Quote(s) // error text stays a string
				continue
			}
			parts[i] = EDN(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = strconv.Quote(e)
		}
		return "#{" + strings.Join(parts, " ") + "}"
	case map[string][]string:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + " " + EDN(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + " " + EDN(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprint(x)
	}
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
