package serve

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"broadcast/maelstrom/diagram"
	"broadcast/maelstrom/history"
	"broadcast/maelstrom/journal"
	"broadcast/maelstrom/results"
)

//go:embed assets
var assets embed.FS

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"fmtTime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02 15:04:05")
	},
	"seconds": func(d time.Duration) int { return int(d / time.Second) },
}).ParseFS(templateFS, "templates/*.html"))

// Server serves a store directory. Create it with New.
type Server struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a server over cfg.Store.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.HandleFunc("GET /runs/{wl}/{run}/{$}", s.handleRun)
	s.mux.HandleFunc("GET /runs/{wl}/{run}/messages.json", s.handleMessages)
	s.mux.HandleFunc("GET /files/{path...}", s.handleFile)
	s.mux.HandleFunc("GET /assets/{name}", s.handleAsset)
	return s, nil
}

// ServeHTTP implements http.Handler, with headers that keep run files
// from loading anything from elsewhere.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// ListenAndServe serves cfg.Store on cfg.Host:cfg.Port until ctx ends.
// ready, if not nil, receives the address once listening.
func ListenAndServe(ctx context.Context, cfg Config, ready func(addr string)) error {
	s, err := New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		return nil
	}
}

func (s *Server) fail(w http.ResponseWriter, code int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.cfg.Logf("serve: %d %s", code, msg)
	http.Error(w, msg, code)
}

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.cfg.Logf("serve: render %s: %v", name, err)
	}
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	runs, err := s.listRuns()
	if err != nil {
		s.fail(w, http.StatusInternalServerError, "reading the store: %v", err)
		return
	}
	live := false
	for _, run := range runs {
		live = live || run.Live()
	}
	s.render(w, "index.html", map[string]any{"Runs": runs, "Store": s.cfg.Store, "Live": live, "Refresh": s.cfg.Refresh})
}

// fileLink is one file of a run.
type fileLink struct {
	Name string // inside the run directory
	Path string // inside the store
	Size int64
}

// row is one line of the summary table.
type row struct{ Name, Value string }

// openRun checks the request's workload and run names and opens the
// store; on failure it has answered and returns nil. The caller closes
// the root.
func (s *Server) openRun(w http.ResponseWriter, r *http.Request) (*os.Root, string) {
	dir, err := checkRun(r.PathValue("wl"), r.PathValue("run"))
	if err != nil {
		s.fail(w, http.StatusNotFound, "%v", err)
		return nil, ""
	}
	root, err := os.OpenRoot(s.cfg.Store)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, "%v", err)
		return nil, ""
	}
	if st, err := root.Stat(dir); err != nil || !st.IsDir() {
		root.Close()
		s.fail(w, http.StatusNotFound, "no run %s", dir)
		return nil, ""
	}
	return root, dir
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	root, dir := s.openRun(w, r)
	if root == nil {
		return
	}
	defer root.Close()
	info := s.runInfo(root, r.PathValue("wl"), r.PathValue("run"))
	files, plots := runFiles(root, dir)
	has := map[string]bool{}
	for _, f := range files {
		has[f.Name] = true
	}
	data := map[string]any{
		"Run": info, "Files": files, "Plots": plots, "Refresh": s.cfg.Refresh,
		"Summary":     summary(root, dir),
		"HasJournal":  has[journal.FileName],
		"HasTimeline": has["timeline.html"],
		"HasSVG":      has[diagram.SVGName],
	}
	s.render(w, "run.html", data)
}

// runFiles lists a run's regular files (top level and node-logs/), and its
// PNG plots apart.
func runFiles(root *os.Root, dir string) (files, plots []fileLink) {
	for _, sub := range []string{"", "node-logs"} {
		ents, err := readDir(root, path.Join(dir, sub))
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				continue
			}
			name := path.Join(sub, e.Name())
			l := fileLink{Name: name, Path: path.Join(dir, name), Size: fi.Size()}
			if sub == "" && strings.HasSuffix(name, ".png") {
				plots = append(plots, l)
			}
			files = append(files, l)
		}
	}
	byName := func(fs []fileLink) {
		sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	}
	byName(files)
	byName(plots)
	return files, plots
}

// summary builds the run page's table from results.json and bench.json.
func summary(root *os.Root, dir string) []row {
	var rows []row
	raw, err := readSmall(root, dir+"/results.json", 64<<20)
	if err != nil {
		return []row{{"results.json", "not written yet (run in progress, or it aborted)"}}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return []row{{"results.json", "unreadable: " + err.Error()}}
	}
	get := func(keys ...string) any { return results.Lookup(m, keys...) }
	add := func(name string, v any) {
		if v != nil {
			rows = append(rows, row{name, text(v)})
		}
	}
	add("valid?", get("valid?"))
	var checkers []string
	for _, k := range []string{"perf", "timeline", "exceptions", "stats", "availability", "net", "workload"} {
		if v := get(k, "valid?"); v != nil {
			checkers = append(checkers, k+" "+text(v))
		}
	}
	add("checkers", strings.Join(checkers, ", "))
	add("operations (count, ok, fail, info)", joinVals(get("stats", "count"), get("stats", "ok-count"), get("stats", "fail-count"), get("stats", "info-count")))
	add("broadcast values (attempted, stable, lost, never read, stale)", joinVals(get("workload", "attempt-count"), get("workload", "stable-count"),
		get("workload", "lost-count"), get("workload", "never-read-count"), get("workload", "stale-count")))
	if q, ok := get("workload", "stable-latencies").(map[string]any); ok {
		add("stable latency ms (p0, p50, p95, p99, max)", joinVals(q["0"], q["0.5"], q["0.95"], q["0.99"], q["1"]))
	}
	if q, ok := get("bench", "client-latency-ms", "broadcast", "quantiles").(map[string]any); ok {
		add("broadcast ack latency ms (p50, p99, max)", joinVals(q["0.5"], q["0.99"], q["1"]))
	}
	add("msgs-per-op (servers, all)", joinVals(get("net", "servers", "msgs-per-op"), get("net", "all", "msgs-per-op")))
	add("messages sent (servers, clients)", joinVals(get("net", "servers", "send-count"), get("net", "clients", "send-count")))
	add("availability ok-fraction", get("availability", "ok-fraction"))
	add("parameters", get("bench", "params"))
	if fs, ok := get("bench", "faults").([]any); ok && len(fs) > 0 {
		add("fault intervals", len(fs))
	}
	if b, err := readSmall(root, dir+"/bench.json", 1<<20); err == nil {
		var bm map[string]any
		if json.Unmarshal(b, &bm) == nil {
			if l, ok := bm["lateness-ms"].(map[string]any); ok {
				add("bench lateness ms (p50, p99, max)", joinVals(l["p50"], l["p99"], l["max"]))
			}
			add("seed", bm["seed"])
		}
	}
	return rows
}

func joinVals(vs ...any) string {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		if v == nil {
			parts = append(parts, "–")
			continue
		}
		parts = append(parts, text(v))
	}
	return strings.Join(parts, ", ")
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// handleMessages streams the run's journal as the diagram's JSON, with the
// run's fault intervals.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	root, dir := s.openRun(w, r)
	if root == nil {
		return
	}
	defer root.Close()
	f, err := root.Open(dir + "/" + journal.FileName)
	if err != nil {
		s.fail(w, http.StatusNotFound, "no %s in %s", journal.FileName, dir)
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		s.fail(w, http.StatusNotFound, "%s is not a regular file", journal.FileName)
		return
	}
	jr, err := journal.NewReader(f)
	if err != nil {
		s.fail(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	if err := diagram.WriteJSONFrom(w, jr, nil, runFaults(root, dir)); err != nil {
		s.cfg.Logf("serve: messages.json of %s: %v", dir, err)
	}
}

// runFaults returns the run's fault intervals: from results.json, or from
// history.json for a run that aborted before analysis; none for a run in
// progress.
func runFaults(root *os.Root, dir string) []history.Interval {
	if raw, err := readSmall(root, dir+"/results.json", 64<<20); err == nil {
		var res struct {
			Bench struct {
				Faults []history.Interval `json:"faults"`
			} `json:"bench"`
		}
		if json.Unmarshal(raw, &res) == nil && res.Bench.Faults != nil {
			return res.Bench.Faults
		}
	}
	if raw, err := readSmall(root, dir+"/history.json", 256<<20); err == nil {
		var h struct {
			Faults []history.Interval `json:"faults"`
		}
		if json.Unmarshal(raw, &h) == nil {
			return h.Faults
		}
	}
	return nil
}

// handleFile serves one regular file under the store. Paths with "..",
// backslashes or NUL are refused before the os.Root, which refuses any
// other way out (symlinks included).
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	if !safePath(p) {
		s.fail(w, http.StatusBadRequest, "bad path %q", p)
		return
	}
	root, err := os.OpenRoot(s.cfg.Store)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	defer root.Close()
	f, err := root.Open(p)
	if err != nil {
		code := http.StatusNotFound
		if !errors.Is(err, fs.ErrNotExist) {
			code = http.StatusForbidden
		}
		s.fail(w, code, "cannot open %s", p)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		s.fail(w, http.StatusNotFound, "%s is not a file", p)
		return
	}
	w.Header().Set("Content-Type", contentType(p))
	http.ServeContent(w, r, "", st.ModTime(), f)
}

// safePath reports whether p is a clean relative path with no "..".
func safePath(p string) bool {
	if p == "" || strings.ContainsAny(p, "\\\x00") || strings.HasPrefix(p, "/") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// contentType types run files: logs, EDN and journals as plain text (or
// bytes), never sniffed.
func contentType(p string) string {
	switch path.Ext(p) {
	case ".log", ".txt", ".edn":
		return "text/plain; charset=utf-8"
	case ".json":
		return "application/json"
	case ".journal":
		return "application/octet-stream"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, err := fs.ReadFile(assets, "assets/"+name)
	if err != nil || !safePath(name) {
		s.fail(w, http.StatusNotFound, "no asset %s", name)
		return
	}
	w.Header().Set("Content-Type", contentType(name))
	w.Header().Set("Cache-Control", "max-age=3600")
	io.WriteString(w, string(b))
}
