package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// runName is a run directory's name: jepsen's basic date-time.
var runName = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}\.[0-9]{3}[+-][0-9]{4}$`)

// workloadName is a workload directory's name.
var workloadName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)

// Run states.
const (
	stateValid      = "valid"
	stateInvalid    = "invalid"
	stateUnknown    = "unknown"
	stateInProgress = "in progress"
	stateAborted    = "aborted"
	stateIncomplete = "incomplete"
)

// runInfo is what the index shows about one run.
type runInfo struct {
	Workload, Name string
	Time           time.Time
	State          string
	Bin            string
	Options        string
	MsgsPerOp      string
	StableMedian   string
	StableMax      string
	Aborted        string
	Problem        string // why results.json could not be read
}

// Live reports whether the run is still going.
func (r runInfo) Live() bool { return r.State == stateInProgress }

// Dir is the run's path inside the store.
func (r runInfo) Dir() string { return r.Workload + "/" + r.Name }

// listRuns returns every run in the store, newest first.
func (s *Server) listRuns() ([]runInfo, error) {
	root, err := os.OpenRoot(s.cfg.Store)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	wls, err := readDir(root, ".")
	if err != nil {
		return nil, err
	}
	var out []runInfo
	for _, wl := range wls {
		if !wl.IsDir() || !workloadName.MatchString(wl.Name()) {
			continue
		}
		ents, err := readDir(root, wl.Name())
		if err != nil {
			s.cfg.Logf("serve: %s: %v", wl.Name(), err)
			continue
		}
		for _, e := range ents {
			if !e.IsDir() || !runName.MatchString(e.Name()) {
				continue // symlinks such as latest are not dirs here
			}
			out = append(out, s.runInfo(root, wl.Name(), e.Name()))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.After(out[j].Time)
		}
		return out[i].Dir() > out[j].Dir()
	})
	return out, nil
}

func readDir(root *os.Root, name string) ([]fs.DirEntry, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// readSmall reads a file under root, up to limit bytes.
func readSmall(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

// runInfo reads what the index shows from results.json, bench.json and
// the head of jepsen.log. Missing or half-written files leave fields
// empty; they never fail the listing.
func (s *Server) runInfo(root *os.Root, wl, name string) runInfo {
	r := runInfo{Workload: wl, Name: name}
	r.Time, _ = time.Parse("20060102T150405.000-0700", name)
	dir := wl + "/" + name
	res, resErr := readSmall(root, dir+"/results.json", 64<<20)
	bench, _ := readSmall(root, dir+"/bench.json", 1<<20)
	var b struct {
		Argv    []string `json:"argv"`
		Aborted string   `json:"aborted"`
	}
	json.Unmarshal(bench, &b)
	if len(b.Argv) > 1 {
		r.Options = strings.Join(b.Argv[1:], " ")
	}
	r.Aborted = b.Aborted
	if resErr == nil {
		s.fillFromResults(&r, res)
	}
	if r.State == "" {
		switch {
		case b.Aborted != "":
			r.State = stateAborted
		case len(bench) > 0:
			r.State = stateIncomplete
		case s.recentlyWritten(root, dir+"/jepsen.log"):
			r.State = stateInProgress
		default:
			r.State = stateIncomplete
		}
	}
	if r.Bin == "" || r.Options == "" {
		bin, opts := testOptions(root, dir+"/jepsen.log")
		if r.Bin == "" {
			r.Bin = bin
		}
		if r.Options == "" {
			r.Options = opts
		}
	}
	return r
}

func (s *Server) recentlyWritten(root *os.Root, name string) bool {
	st, err := root.Stat(name)
	return err == nil && time.Since(st.ModTime()) < s.cfg.LiveWindow
}

// runResults is the part of results.json the pages read.
type runResults struct {
	Valid any `json:"valid?"`
	Net   struct {
		Servers struct {
			MsgsPerOp *float64 `json:"msgs-per-op"`
		} `json:"servers"`
	} `json:"net"`
	Workload struct {
		StableLatencies map[string]float64 `json:"stable-latencies"`
	} `json:"workload"`
	Bench struct {
		Params struct {
			Bin string `json:"bin"`
		} `json:"params"`
	} `json:"bench"`
}

func (s *Server) fillFromResults(r *runInfo, raw []byte) {
	var res runResults
	if err := json.Unmarshal(raw, &res); err != nil {
		r.Problem = "results.json: " + err.Error()
		return
	}
	r.State = verdict(res.Valid)
	r.Bin = res.Bench.Params.Bin
	if m := res.Net.Servers.MsgsPerOp; m != nil {
		r.MsgsPerOp = strconv.FormatFloat(*m, 'f', 2, 64)
	}
	if v, ok := res.Workload.StableLatencies["0.5"]; ok {
		r.StableMedian = strconv.FormatFloat(v, 'f', -1, 64)
	}
	if v, ok := res.Workload.StableLatencies["1"]; ok {
		r.StableMax = strconv.FormatFloat(v, 'f', -1, 64)
	}
}

// verdict maps results.json's valid? (true, false or "unknown").
func verdict(v any) string {
	switch v {
	case true:
		return stateValid
	case false:
		return stateInvalid
	}
	return stateUnknown
}

// testOptions finds the bin and the options in jepsen.log's "Test
// options" line (written when the run starts).
var binRe = regexp.MustCompile(`:bin "((?:[^"\\]|\\.)*)"`)

func testOptions(root *os.Root, name string) (bin, opts string) {
	head, err := readSmall(root, name, 64<<10)
	if err != nil {
		return "", ""
	}
	for _, line := range strings.Split(string(head), "\n") {
		_, o, ok := strings.Cut(line, "Test options: ")
		if !ok {
			continue
		}
		if m := binRe.FindStringSubmatch(o); m != nil {
			if u, err := strconv.Unquote(`"` + m[1] + `"`); err == nil {
				bin = u
			}
		}
		return bin, o
	}
	return "", ""
}

// errBadRun is returned for a run path that is not a run directory.
var errBadRun = errors.New("serve: no such run")

// checkRun validates a workload and run name from a URL.
func checkRun(wl, name string) (string, error) {
	if !workloadName.MatchString(wl) || !runName.MatchString(name) {
		return "", errBadRun
	}
	return path.Join(wl, name), nil
}
