package procstat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// File is the name of the samples file in a run directory.
const File = "procs.jsonl"

// Sample is one reading of one node process, a line of the JSONL file.
type Sample struct {
	// T is seconds since Config.Epoch.
	T float64 `json:"t"`
	// Node is the node id; PID the process sampled (a restarted node has a
	// new one).
	Node string `json:"node"`
	PID  int    `json:"pid"`
	// RSS is resident memory in bytes (VmRSS in /proc/<pid>/status).
	RSS int64 `json:"rss-bytes"`
	// Threads is the process's thread count (Threads in /proc/<pid>/status):
	// goroutines are not visible from outside the process.
	Threads int `json:"threads"`
	// FDs is the number of open descriptors (entries of /proc/<pid>/fd).
	FDs int `json:"fds"`
}

// Proc names a live process to sample.
type Proc struct {
	Node string
	PID  int
}

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("procstat: invalid config")

// Config configures a Sampler.
type Config struct {
	// Interval is the time between two samples of every process (default
	// 10 s). Lower: finer plots, more reads of /proc.
	Interval time.Duration
	// Path is the JSONL file the samples are appended to, one per line,
	// as they are taken.
	Path string
	// Procs returns the processes to sample now (nodes come and go under
	// the kill nemesis).
	Procs func() []Proc
	// ProcDir is where the process table is read; empty means "/proc".
	ProcDir string
	// Epoch is time zero of Sample.T (the run's start); zero means Start's
	// time.
	Epoch time.Time
	// Logf receives one line per failed write; nil discards.
	Logf func(format string, args ...any)
}

// DefaultConfig returns a 10 s interval; the caller sets Path and Procs.
func DefaultConfig() Config { return Config{Interval: 10 * time.Second, ProcDir: "/proc"} }

func (c *Config) validate() error {
	d := DefaultConfig()
	if c.Interval < 0 {
		return fmt.Errorf("%w: negative interval %v", ErrConfig, c.Interval)
	}
	if c.Interval == 0 {
		c.Interval = d.Interval
	}
	if c.ProcDir == "" {
		c.ProcDir = d.ProcDir
	}
	if c.Path == "" || c.Procs == nil {
		return fmt.Errorf("%w: Path and Procs are required", ErrConfig)
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}

// Read samples process pid once (T and Node are left for the caller).
func Read(procDir string, pid int) (Sample, error) {
	dir := filepath.Join(procDir, strconv.Itoa(pid))
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return Sample{}, err
	}
	s := Sample{PID: pid}
	var haveRSS, haveThreads bool
	for line := range bytes.Lines(status) {
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		fields := bytes.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			continue
		}
		switch string(key) {
		case "VmRSS": // "VmRSS:	  16384 kB"
			s.RSS, haveRSS = n*1024, true
		case "Threads":
			s.Threads, haveThreads = int(n), true
		}
	}
	if !haveRSS || !haveThreads {
		return Sample{}, fmt.Errorf("procstat: %s/status has no VmRSS or Threads (a zombie?)", dir)
	}
	fds, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return Sample{}, err
	}
	s.FDs = len(fds)
	return s, nil
}

// Sampler samples processes every Interval from Start to Stop.
type Sampler struct {
	cfg   Config
	start time.Time
	f     *os.File
	w     *bufio.Writer
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once

	// mu protects samples and err (written by the sampling goroutine).
	mu      sync.Mutex
	samples []Sample
	err     error
}

// Start creates cfg.Path, takes a first sample at once and then one every
// Interval until Stop.
func Start(cfg Config) (*Sampler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	f, err := os.Create(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("procstat: %w", err)
	}
	if cfg.Epoch.IsZero() {
		cfg.Epoch = time.Now()
	}
	s := &Sampler{cfg: cfg, start: cfg.Epoch, f: f, w: bufio.NewWriter(f), stop: make(chan struct{}), done: make(chan struct{})}
	s.sampleAll()
	go s.loop()
	return s, nil
}

func (s *Sampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.sampleAll()
		case <-s.stop:
			return
		}
	}
}

// sampleAll samples every live process once and appends the lines. A
// process that is gone between Procs and the read (killed) is skipped.
func (s *Sampler) sampleAll() {
	now := time.Since(s.start).Seconds()
	var got []Sample
	for _, p := range s.cfg.Procs() {
		smp, err := Read(s.cfg.ProcDir, p.PID)
		if err != nil {
			continue
		}
		smp.T, smp.Node = now, p.Node
		got = append(got, smp)
	}
	var werr error
	for _, smp := range got {
		line, _ := json.Marshal(smp)
		if _, err := s.w.Write(append(line, '\n')); err != nil && werr == nil {
			werr = err
		}
	}
	if err := s.w.Flush(); err != nil && werr == nil {
		werr = err
	}
	s.mu.Lock()
	s.samples = append(s.samples, got...)
	if werr != nil && s.err == nil {
		s.err = werr
		s.cfg.Logf("WARN procstat: writing %s: %v", s.cfg.Path, werr)
	}
	s.mu.Unlock()
}

// Stop takes a last sample, closes the file and returns every sample and
// the first write error. Safe to call twice.
func (s *Sampler) Stop() ([]Sample, error) {
	s.once.Do(func() {
		close(s.stop)
		<-s.done
		s.sampleAll()
		if err := s.f.Close(); err != nil {
			s.mu.Lock()
			if s.err == nil {
				s.err = err
			}
			s.mu.Unlock()
		}
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sample(nil), s.samples...), s.err
}

// Load reads a JSONL file written by a Sampler.
func Load(path string) ([]Sample, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Sample
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var s Sample
		if err := json.Unmarshal(line, &s); err != nil {
			return nil, fmt.Errorf("procstat: %s line %d: %w", path, i+1, err)
		}
		out = append(out, s)
	}
	return out, nil
}
