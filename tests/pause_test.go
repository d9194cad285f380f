package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pauseSeed gives, with the arguments of TestPauseLongerThanClientTimeout,
// two pauses of n1 longer than the 5 s client timeout (7.6 s and 10.1 s
// when this was written); the test fails if the seed stops doing so.
const pauseSeed = 2

// Rule: a node stopped (SIGSTOP) for longer than the client timeout never
// answers, after SIGCONT, a request whose client has given up (Maelstrom
// would then stop reading its output for good: "Invalid dest"), and
// serves its clients again after the resume.
func TestPauseLongerThanClientTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("a 20 s bench run")
	}
	r := runBench(t, "--node-count", "5", "--time-limit", "20", "--rate", "50",
		"--nemesis", "pause", "--nemesis-interval", "8", "--nemesis-targets", "n1",
		"--seed", strconv.Itoa(pauseSeed))
	requireValid(t, "pause-n1", pauseSeed, r)
	if r.Dir == "" {
		t.Fatal("no run directory")
	}
	jl, err := os.ReadFile(filepath.Join(r.Dir, "jepsen.log"))
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(string(jl), "Invalid dest"); i >= 0 {
		t.Errorf("a node answered a client that had given up: %s", firstLine(string(jl[i:])))
	}
	var h struct {
		Ops []struct {
			Time    int64           `json:"time"`
			Type    string          `json:"type"`
			Process int             `json:"process"`
			F       string          `json:"f"`
			Value   json.RawMessage `json:"value"`
			Node    string          `json:"node"`
		} `json:"ops"`
	}
	b, err := os.ReadFile(filepath.Join(r.Dir, "history.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("history.json: %v", err)
	}
	// Pauses of n1 from their completion to the resume's completion, and
	// the ok operations on n1 invoked after each long pause ended.
	const clientTimeout = 5 * time.Second
	var pausedAt int64 = -1
	var resumes []int64 // ends of pauses over the client timeout
	invokedAt := map[int]int64{}
	okAfter := map[int64]int{}
	for _, op := range h.Ops {
		v := string(op.Value)
		switch {
		case op.F == "pause" && strings.Contains(v, `"n1":"paused"`):
			pausedAt = op.Time
		case op.F == "resume" && strings.Contains(v, `"n1":"resumed"`) && pausedAt >= 0:
			if time.Duration(op.Time-pausedAt) > clientTimeout {
				resumes = append(resumes, op.Time)
				t.Logf("n1 paused %v", time.Duration(op.Time-pausedAt).Round(time.Millisecond))
			}
			pausedAt = -1
		case op.Type == "invoke":
			invokedAt[op.Process] = op.Time
		case op.Type == "ok" && op.Node == "n1" && len(resumes) > 0:
			if last := resumes[len(resumes)-1]; invokedAt[op.Process] > last && pausedAt < 0 {
				okAfter[last]++
			}
		}
	}
	if len(resumes) == 0 {
		t.Fatalf("seed %d no longer pauses n1 for over %v: pick another seed", pauseSeed, clientTimeout)
	}
	for _, at := range resumes {
		if okAfter[at] == 0 {
			t.Errorf("no operation on n1 succeeded after the pause that ended at %v", time.Duration(at))
		}
	}
	nl, err := os.ReadFile(filepath.Join(r.Dir, "node-logs", "n1.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(nl), "resumed after a stop") || !strings.Contains(string(nl), "suppressed") {
		t.Errorf("n1 neither noticed the stop nor dropped a late reply: the run did not test the rule\n%s", tail(string(nl), 20))
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
