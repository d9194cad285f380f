package serve

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"broadcast/maelstrom/journal"
	"broadcast/maelstrom/netsim"
)

const (
	runDone    = "20261130T100000.000+0000"
	runLive    = "20261201T090000.000+0000"
	runEmpty   = "20261129T080000.000+0000"
	runBadJSON = "20261128T080000.000+0000"
	runAborted = "20261127T080000.000+0000"
	secret     = "TOPSECRET-outside-the-store"
)

// fixture builds a store with a finished run, a run in progress (only a
// fresh jepsen.log and a half-written journal), an empty old run
// directory, a run with a corrupt results.json, and symlinks: store/latest
// inside the store, and two that lead out of it (a file and a directory).
func fixture(t *testing.T) (store string, s *Server) {
	t.Helper()
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	os.MkdirAll(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte(secret), 0o644)
	store = filepath.Join(base, "store")
	done := filepath.Join(store, "broadcast", runDone)
	os.MkdirAll(filepath.Join(done, "node-logs"), 0o755)
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(done, "results.json"), `{"valid?": true, "stats": {"valid?": true, "count": 4, "ok-count": 4, "fail-count": 0, "info-count": 0},
 "net": {"servers": {"msgs-per-op": 2.5}, "all": {"msgs-per-op": 4.5}},
 "workload": {"valid?": true, "stable-latencies": {"0": 0, "0.5": 120, "0.95": 200, "0.99": 210, "1": 230}},
 "bench": {"params": {"bin": "/opt/node-bin"}, "faults": [{"kind": "partition", "start": 1000000, "end": 3000000, "detail": "one n1<-{n0}"}]}}`)
	write(filepath.Join(done, "bench.json"), `{"seed": 7, "argv": ["maelstrom-local", "test", "--bin", "/opt/node-bin", "--rate", "10"], "lateness-ms": {"p50": 0.1, "p99": 1, "max": 2}}`)
	write(filepath.Join(done, "jepsen.log"), "Test options: {:bin \"/opt/node-bin\"}\n")
	write(filepath.Join(done, "history.txt"), "0\tinvoke\tbroadcast\t0\n")
	write(filepath.Join(done, "results.edn"), "{:valid? true}\n")
	write(filepath.Join(done, "node-logs", "n0.log"), "hello from n0\n")
	write(filepath.Join(done, "rate.png"), "\x89PNG fake")
	w, err := journal.Create(filepath.Join(done, journal.FileName), journal.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w.Send(0, 0, 0, []byte("c1"), []byte("n0"), []byte(`{"type":"broadcast","message":0,"msg_id":1}`))
	w.Deliver(0, 10)
	w.Send(1, 20, 100020, []byte("n0"), []byte("n1"), []byte(`{"type":"gossip","values":[0]}`))
	w.Drop(1, 50000, netsim.DropPartition)
	w.Send(2, 30, 100030, []byte("n1"), []byte("n0"), []byte(`{"type":"error","code":11}`))
	w.Deliver(2, 100040)
	w.Send(3, 40, 100040, []byte("n0"), []byte("n1"), nil)
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(done, "evil.txt"))
	os.Symlink(outside, filepath.Join(done, "evil-dir"))
	os.Symlink(filepath.Join("broadcast", runDone), filepath.Join(store, "latest"))

	live := filepath.Join(store, "broadcast", runLive)
	os.MkdirAll(live, 0o755)
	write(filepath.Join(live, "jepsen.log"), "Test options: {:workload :broadcast, :bin \"/opt/live-bin\", :rate 5}\n")
	j, _ := os.ReadFile(filepath.Join(done, journal.FileName))
	write(filepath.Join(live, journal.FileName), string(j[:len(j)-5]))

	empty := filepath.Join(store, "broadcast", runEmpty)
	os.MkdirAll(empty, 0o755)
	bad := filepath.Join(store, "broadcast", runBadJSON)
	os.MkdirAll(bad, 0o755)
	write(filepath.Join(bad, "results.json"), `{"valid?": tr`)
	write(filepath.Join(bad, journal.FileName), "not a journal\n")
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(bad, "results.json"), old, old)

	ab := filepath.Join(store, "broadcast", runAborted)
	os.MkdirAll(ab, 0o755)
	write(filepath.Join(ab, "bench.json"), `{"aborted": "run aborted: Node n1 crashed with exit status 2"}`)
	write(filepath.Join(ab, "history.json"), `{"nodes": ["n0", "n1"], "ops": [], "faults": [{"kind": "kill", "start": 5, "end": 90, "detail": "n1"}]}`)
	write(filepath.Join(ab, journal.FileName), string(j))

	s, err = New(Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	return store, s
}

func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "http://localhost"+target, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	if strings.Contains(string(b), secret) {
		t.Fatalf("%s leaked a file from outside the store", target)
	}
	return res, string(b)
}

// Rule: the index lists every run directory newest first with its time,
// binary, options, verdict, msgs-per-op and stable median and max; a run
// in progress is listed as such and the page reloads itself; half-written
// runs never break it.
func TestIndex(t *testing.T) {
	_, s := fixture(t)
	res, body := get(t, s, "/")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	order := []string{runLive, runDone, runEmpty, runBadJSON, runAborted}
	last := -1
	for _, r := range order {
		i := strings.Index(body, "/runs/broadcast/"+strings.ReplaceAll(r, "+", "&#43;")+"/")
		if i < 0 || i < last {
			t.Fatalf("run %s missing or out of newest-first order:\n%s", r, body)
		}
		last = i
	}
	for _, want := range []string{"/opt/node-bin", "--rate 10", ">valid<", ">2.50<", ">120<", ">230<", "in progress", "/opt/live-bin",
		`http-equiv="refresh"`, "incomplete", "results.json: ", ">aborted<"} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	if strings.Contains(body, "/runs/latest") {
		t.Errorf("the latest symlink is listed as a run")
	}
	if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing: %v", res.Header)
	}
}

// Rule: a run page shows the summary, plots, result and history files,
// node logs, the diagram and the timeline links; a run in progress says so
// and reloads; a missing or empty run directory gives 404 or a page that
// says what is missing, never a 500.
func TestRunPage(t *testing.T) {
	_, s := fixture(t)
	res, body := get(t, s, "/runs/broadcast/"+runDone+"/")
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	for _, want := range []string{"valid?", "120, 200, 210, 230", "2.5, 4.5", "rate.png", "results.edn", "results.json", "history.txt",
		"node-logs/n0.log", `id="diagram"`, "messages.json", "/assets/diagram.js", "bench lateness"} {
		if !strings.Contains(body, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	if strings.Contains(body, "evil") {
		t.Errorf("run page links a symlink out of the store")
	}
	if strings.Contains(body, `http-equiv="refresh"`) {
		t.Errorf("a finished run reloads itself")
	}
	res, body = get(t, s, "/runs/broadcast/"+runLive+"/")
	if res.StatusCode != 200 || !strings.Contains(body, "In progress") || !strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "not written yet") {
		t.Fatalf("live run page: %d\n%s", res.StatusCode, body)
	}
	res, body = get(t, s, "/runs/broadcast/"+runEmpty+"/")
	if res.StatusCode != 200 || !strings.Contains(body, "No message journal") || !strings.Contains(body, "No plots") {
		t.Fatalf("empty run page: %d\n%s", res.StatusCode, body)
	}
	res, body = get(t, s, "/runs/broadcast/"+runBadJSON+"/")
	if res.StatusCode != 200 || !strings.Contains(body, "unreadable") {
		t.Fatalf("corrupt results page: %d\n%s", res.StatusCode, body)
	}
	for _, p := range []string{"/runs/broadcast/20990101T000000.000+0000/", "/runs/broadcast/latest/", "/runs/..%2F..%2Foutside/x/", "/runs/broadcast/not-a-run/"} {
		if res, _ := get(t, s, p); res.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", p, res.StatusCode)
		}
	}
}

// Rule: messages.json carries every journal message with its fate and
// body, the lanes and the fault intervals; a half-written journal is
// served with truncated set; a missing one is 404, a corrupt one 422.
func TestMessagesJSON(t *testing.T) {
	_, s := fixture(t)
	res, body := get(t, s, "/runs/broadcast/"+runDone+"/messages.json")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var d struct {
		Msgs      [][]any `json:"msgs"`
		Lanes     []string
		Faults    []map[string]any
		Messages  int
		Truncated bool
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if len(d.Msgs) != 4 || d.Messages != 4 || d.Truncated {
		t.Fatalf("got %d msgs (%d), truncated %v: %s", len(d.Msgs), d.Messages, d.Truncated, body)
	}
	fates := map[float64]string{}
	for _, m := range d.Msgs {
		fates[m[0].(float64)] = m[6].(string) + m[7].(string)
	}
	if fates[0] != "cd" || fates[1] != "sx" || fates[2] != "ed" || fates[3] != "sf" {
		t.Fatalf("kinds and fates %v", fates)
	}
	if strings.Join(d.Lanes, " ") != "clients n0 n1" || len(d.Faults) != 1 || d.Faults[0]["kind"] != "partition" {
		t.Fatalf("lanes %v faults %v", d.Lanes, d.Faults)
	}
	res, body = get(t, s, "/runs/broadcast/"+runLive+"/messages.json")
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &d) != nil || !d.Truncated || len(d.Msgs) > 4 {
		t.Fatalf("half-written journal: %d %s", res.StatusCode, body)
	}
	// A run that aborted before analysis: its faults come from history.json.
	res, body = get(t, s, "/runs/broadcast/"+runAborted+"/messages.json")
	d.Faults = nil
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &d) != nil || len(d.Faults) != 1 || d.Faults[0]["kind"] != "kill" {
		t.Fatalf("aborted run's faults: %d %v", res.StatusCode, d.Faults)
	}
	if res, _ := get(t, s, "/runs/broadcast/"+runEmpty+"/messages.json"); res.StatusCode != 404 {
		t.Errorf("missing journal: %d", res.StatusCode)
	}
	if res, _ := get(t, s, "/runs/broadcast/"+runBadJSON+"/messages.json"); res.StatusCode != 422 {
		t.Errorf("corrupt journal: %d", res.StatusCode)
	}
}

// Rule: /files serves regular files under the store only: "..", encoded
// slashes and dots, absolute paths, backslashes, directories and symlinks
// that lead out of the store are all refused; symlinks inside the store
// work; logs and EDN are plain text, never sniffed.
func TestFilesStayInStore(t *testing.T) {
	_, s := fixture(t)
	res, body := get(t, s, "/files/broadcast/"+runDone+"/node-logs/n0.log")
	if res.StatusCode != 200 || body != "hello from n0\n" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("node log: %d %q %s", res.StatusCode, body, res.Header.Get("Content-Type"))
	}
	if res, _ := get(t, s, "/files/latest/results.edn"); res.StatusCode != 200 {
		t.Fatalf("symlink inside the store: %d", res.StatusCode)
	}
	if res, _ := get(t, s, "/files/broadcast/"+runDone+"/results.json"); res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("results.json type %s", res.Header.Get("Content-Type"))
	}
	for _, p := range []string{
		"/files/../outside/secret.txt",
		"/files/broadcast/../../outside/secret.txt",
		"/files/..%2Foutside%2Fsecret.txt",
		"/files/broadcast%2F..%2F..%2Foutside%2Fsecret.txt",
		"/files/%2e%2e/outside/secret.txt",
		"/files/%2e%2e%2foutside%2fsecret.txt",
		"/files//etc/passwd",
		"/files/%2Fetc%2Fpasswd",
		"/files/broadcast\\..\\..\\outside\\secret.txt",
		"/files/broadcast/" + runDone + "/evil.txt",
		"/files/broadcast/" + runDone + "/evil-dir/secret.txt",
		"/files/broadcast/" + runDone,
		"/files/broadcast/" + runDone + "/node-logs/",
		"/files/",
		"/files/broadcast/" + runDone + "/missing.txt",
		"/files/a%00b",
	} {
		res, body := get(t, s, p)
		if res.StatusCode == 200 {
			t.Errorf("%s: 200 (%q), want a refusal", p, body)
		}
		if res.StatusCode >= 300 && res.StatusCode < 400 {
			// ServeMux cleans ".." by redirecting; the target must be
			// refused in turn.
			loc := res.Header.Get("Location")
			if res2, body2 := get(t, s, loc); res2.StatusCode == 200 && strings.Contains(body2, "outside") {
				t.Errorf("%s redirected to %s, served", p, loc)
			}
		}
	}
}

// Rule: every asset ships in the binary and is served with its type.
func TestAssets(t *testing.T) {
	_, s := fixture(t)
	for name, typ := range map[string]string{"diagram.js": "javascript", "style.css": "text/css"} {
		res, body := get(t, s, "/assets/"+name)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), typ) || len(body) < 100 {
			t.Errorf("%s: %d %s %d bytes", name, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
	}
	if res, _ := get(t, s, "/assets/nope.js"); res.StatusCode != 404 {
		t.Errorf("unknown asset: %d", res.StatusCode)
	}
	if res, _ := get(t, s, "/assets/..%2Fserver.go"); res.StatusCode != 404 {
		t.Errorf("asset escape: %d", res.StatusCode)
	}
	// Nothing from the internet: no page or asset names another host.
	for _, p := range []string{"/", "/runs/broadcast/" + runDone + "/", "/assets/diagram.js", "/assets/style.css"} {
		_, body := get(t, s, p)
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, "//cdn") {
			t.Errorf("%s refers to another host", p)
		}
	}
}

// Rule: a store that is not there is a configuration error, and the
// default host is loopback.
func TestConfig(t *testing.T) {
	if _, err := New(Config{Store: filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Fatal("missing store accepted")
	}
	if d := DefaultConfig(); d.Host != "127.0.0.1" || d.Port != 8080 {
		t.Fatalf("defaults %+v", d)
	}
}
