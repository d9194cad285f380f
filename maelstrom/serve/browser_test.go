package serve

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadcast/maelstrom/journal"
	"broadcast/maelstrom/runner"
)

// findBrowser returns a Chromium to drive: $CHROME_BIN, else the first of
// the usual names on PATH. Without one the browser tests skip, except
// under CI=true, where a missing browser fails them.
func findBrowser(tb testing.TB) string {
	tb.Helper()
	cands := []string{os.Getenv("CHROME_BIN"), "chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("no Chromium found and CI=true: install it (apt-get install -y chromium) or set CHROME_BIN")
	}
	tb.Skip("no Chromium found (Debian: apt-get install chromium; or set CHROME_BIN): skipping the browser test")
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and no network
// use of its own, and collects console errors, uncaught exceptions and
// error log entries (failed loads) in *problems.
func newBrowser(tb testing.TB, bin string) (context.Context, func() []string) {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	var mu sync.Mutex
	var problems []string
	// Console subscribes now (starting the browser); messages are read in
	// a goroutine until the context ends.
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				mu.Unlock()
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancelTimeout()
		cancel()
		cancelAlloc()
		tb.Fatalf("starting %s: %v", bin, err)
	}
	tb.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// makeRun runs the bench for real, with 25 nodes at rate 100 and latency
// 100, and returns the store and the run directory.
func makeRun(tb testing.TB, node string, limit time.Duration, recovery time.Duration) (store, dir string) {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), filepath.Base(node))
	build := exec.Command("go", "build", "-o", bin, "./"+node)
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("build %s: %v\n%s", node, err, out)
	}
	store = filepath.Join(tb.TempDir(), "store")
	cfg := runner.DefaultConfig()
	cfg.Bin = bin
	cfg.Nodes = nil
	for i := 0; i < 25; i++ {
		cfg.Nodes = append(cfg.Nodes, fmt.Sprintf("n%d", i))
	}
	cfg.Rate, cfg.Latency, cfg.TimeLimit, cfg.RecoveryWait = 100, 100, limit, recovery
	cfg.Nemesis, cfg.NemesisInterval = []string{"partition"}, limit/3
	cfg.Seed = 5
	cfg.StoreDir = store
	cfg.Console, cfg.Stdout = io.Discard, io.Discard
	res := runner.Run(context.Background(), cfg)
	if res.Dir == "" || (res.Exit != runner.ExitValid && res.Exit != runner.ExitInvalid) {
		tb.Fatalf("run: exit %d: %v", res.Exit, res.Err)
	}
	return store, res.Dir
}

// span is one message as the test reads it from the journal itself.
type span struct {
	sent, end  float64 // ms, rounded as messages.json rounds
	src, dest  string
	clientSide bool
}

func readSpans(tb testing.TB, dir string) []span {
	tb.Helper()
	r, err := journal.Open(filepath.Join(dir, journal.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var out []span
	ms := func(ns int64) float64 { return math.Round(float64(ns)/1e3) / 1e3 }
	if _, err := journal.Messages(r, func(m journal.Message) error {
		end := m.End
		if m.Fate == journal.InFlight {
			end = m.Due
		}
		out = append(out, span{sent: ms(m.Sent), end: ms(end), src: m.Src, dest: m.Dest})
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return out
}

// expected counts the arrows a window [from, to] (ms) must show: messages
// whose span meets it, sent or received by a node in filter (nil: all;
// "clients" stands for every client).
func expected(spans []span, from, to float64, filter map[string]bool) int {
	n := 0
	for _, s := range spans {
		if s.sent > to || s.end < from {
			continue
		}
		if filter != nil {
			in := func(id string) bool { return filter[id] || (strings.HasPrefix(id, "c") && filter["clients"]) }
			if !in(s.src) && !in(s.dest) {
				continue
			}
		}
		n++
	}
	return n
}

// awayFromEvents nudges t (ms) until no message starts or ends within
// 0.05 ms of it, so rounding cannot decide a count.
func awayFromEvents(spans []span, t float64) float64 {
	for {
		near := false
		for _, s := range spans {
			if math.Abs(s.sent-t) < 0.05 || math.Abs(s.end-t) < 0.05 {
				near = true
				break
			}
		}
		if !near {
			return t
		}
		t += 0.1
	}
}

func artifactDir(tb testing.TB) string {
	if d := os.Getenv("BROWSER_ARTIFACTS"); d != "" {
		os.MkdirAll(d, 0o755)
		return d
	}
	return tb.TempDir()
}

func save(tb testing.TB, dir, name string, png []byte) {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot %s (%d bytes)", p, len(png))
}

// page wraps the actions the tests take on a page.
type page struct {
	tb  testing.TB
	ctx context.Context
}

func (p page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.tb.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.tb.Fatal(err)
	}
}

// attr reads an attribute in the page itself: the driver's own copy of
// the DOM follows changes by events, so it can lag a script's update.
func (p page) attr(sel, name string) string {
	p.tb.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) || ""`, sel, name)))
	if err != nil {
		p.tb.Fatal(err)
	}
	return v
}

func (p page) shot(a chromedp.Action[[]byte], dir, name string) {
	p.tb.Helper()
	png, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.tb.Fatal(err)
	}
	save(p.tb, dir, name, png)
}

// renderResult is what maelstromDiagram.render resolves with.
type renderResult struct {
	MS    float64 `json:"ms"`
	Drawn int     `json:"drawn"`
}

func (p page) render(from, to float64, filter string) renderResult {
	p.tb.Helper()
	r, err := chromedp.Run(p.ctx, chromedp.Evaluate[renderResult](fmt.Sprintf(`window.maelstromDiagram.render(%f, %f, %q)`, from, to, filter), chromedp.EvalAwaitPromise))
	if err != nil {
		p.tb.Fatal(err)
	}
	return r
}

// openRun loads a run page and waits for its diagram.
func (p page) openRun(url string) {
	p.tb.Helper()
	p.do(chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`canvas#diagram[data-ready]`)))
	if r := p.attr("canvas#diagram", "data-ready"); r != "1" {
		p.tb.Fatalf("diagram not ready: %q", r)
	}
}

// Rule: in a real browser, the index and the run page of a real 25-node
// run load with no console error; the diagram draws exactly the messages
// of the chosen window (counted independently from the journal), the node
// filter narrows it to the messages of that node, and clicking an arrow
// shows its body.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a real 25-node run and a browser: not in -short")
	}
	bin := findBrowser(t)
	store, dir := makeRun(t, "maelstrom/testdata/correct", 3*time.Second, time.Second)
	s, err := New(Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx, problems := newBrowser(t, bin)
	p := page{t, ctx}
	art := artifactDir(t)

	p.do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#runs")))
	links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#runs tbody tr").length`))
	if err != nil || links != 1 {
		t.Fatalf("index lists %d runs (%v), want 1", links, err)
	}
	p.shot(chromedp.FullScreenshot(100), art, "index.png")

	p.openRun(ts.URL + "/runs/broadcast/" + filepath.Base(dir) + "/")
	spans := readSpans(t, dir)
	if len(spans) < 1000 {
		t.Fatalf("only %d messages in a 25-node run", len(spans))
	}
	if whole := p.attr("canvas#diagram", "data-drawn"); whole != fmt.Sprint(len(spans)) {
		t.Fatalf("whole run: %s arrows drawn, the journal has %d messages", whole, len(spans))
	}

	// A 1 s window through the page's own controls.
	from := awayFromEvents(spans, spans[len(spans)/2].sent+0.5)
	to := awayFromEvents(spans, from+1000)
	countFor := func(filterText string) int {
		t.Helper()
		// Type into the controls as a user would, then press "show".
		set := fmt.Sprintf(`(() => { const v = {"win-from": %q, "win-to": %q, "node-filter": %q}; for (const id in v) document.getElementById(id).value = v[id]; return true; })()`,
			fmt.Sprintf("%.4f", from/1000), fmt.Sprintf("%.4f", to/1000), filterText)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](set)); err != nil {
			t.Fatal(err)
		}
		p.do(chromedp.Click(chromedp.CSS("#win-apply")))
		var n int
		fmt.Sscan(p.attr("canvas#diagram", "data-drawn"), &n)
		return n
	}
	all := countFor("")
	if want := expected(spans, from, to, nil); all != want || want == 0 {
		t.Fatalf("window %.1f-%.1f ms: %d arrows drawn, the journal says %d", from, to, all, want)
	}
	p.shot(chromedp.Screenshot(chromedp.CSS("#diagram-wrap")), art, "diagram-window.png")
	one := countFor("n3")
	if want := expected(spans, from, to, map[string]bool{"n3": true}); one != want || one >= all || one == 0 {
		t.Fatalf("filter n3: %d arrows drawn, the journal says %d (unfiltered %d)", one, want, all)
	}
	two := countFor("n3 clients")
	if want := expected(spans, from, to, map[string]bool{"n3": true, "clients": true}); two != want || two <= one {
		t.Fatalf("filter n3 clients: %d arrows, the journal says %d", two, want)
	}

	// Click the middle of one drawn arrow: its message appears below. A
	// 200 ms window on one node keeps some arrows clear of the others.
	to = awayFromEvents(spans, from+200)
	if countFor("n3") == 0 {
		t.Fatalf("no n3 arrows in %.1f-%.1f ms", from, to)
	}
	p.do(chromedp.ScrollIntoView(chromedp.CSS("#diagram")))
	pt, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const r = document.getElementById("diagram").getBoundingClientRect();
		const p = window.maelstromDiagram.firstArrow(-r.top + 150, window.innerHeight - r.top - 10);
		return p ? [p[0] + r.left, p[1] + r.top, p[2]] : []; })()`))
	if err != nil || len(pt) != 3 {
		t.Fatalf("arrow position %v: %v", pt, err)
	}
	p.do(chromedp.MouseClickXY(pt[0], pt[1]))
	picked, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#picked")))
	if err != nil || !strings.HasPrefix(picked, fmt.Sprintf("#%d ", int(pt[2]))) || !strings.Contains(picked, `"type"`) {
		t.Fatalf("clicked arrow #%d, the panel shows %q (%v)", int(pt[2]), picked, err)
	}
	p.shot(chromedp.FullScreenshot(100), art, "run-page.png")
	if pr := problems(); len(pr) > 0 {
		t.Fatalf("browser reported problems:\n%s", strings.Join(pr, "\n"))
	}

	// The check above can fail: a console error and a failed load are seen.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { console.error("probe-error"); const i = new Image(); i.src = "/files/no-such-file.png"; document.body.appendChild(i); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		all := strings.Join(problems(), "\n")
		if strings.Contains(all, "probe-error") && strings.Contains(all, "404") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console watch missed a console.error or a failed load: %q", all)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Targets for the run page's diagram of a 25-node 3d/3e run, in headless
// Chromium.
const (
	WindowRenderTargetMS = 1000
	WholeRenderTargetMS  = 3000
)

// BenchmarkBrowserRender makes a 3d/3e run (25 nodes of cmd/broadcast,
// rate 100, latency 100, RENDER_TIME_LIMIT seconds, default 20, with
// partitions), opens its run page in headless Chromium and reports: the
// time from navigation to the whole run drawn (fetch, decode and first
// paint), and the median of 5 renders of a 5 s window and of the whole run,
// against their targets. RENDER_NODE names another node package to run
// (a path in this module). With BROWSER_ARTIFACTS=dir it saves screenshots
// there. Run it with
//
//	go test -run '^$' -bench BrowserRender -benchtime 1x ./maelstrom/serve/
func BenchmarkBrowserRender(b *testing.B) {
	bin := findBrowser(b)
	limit := 20
	if v := os.Getenv("RENDER_TIME_LIMIT"); v != "" {
		fmt.Sscan(v, &limit)
	}
	node := "cmd/broadcast"
	if v := os.Getenv("RENDER_NODE"); v != "" {
		node = v // e.g. maelstrom/testdata/correct, which floods: a stress run
	}
	store, dir := makeRun(b, node, time.Duration(limit)*time.Second, 10*time.Second)
	s, err := New(Config{Store: store})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	spans := readSpans(b, dir)
	for i := 0; i < b.N; i++ {
		ctx, problems := newBrowser(b, bin)
		p := page{b, ctx}
		start := time.Now()
		p.openRun(ts.URL + "/runs/broadcast/" + filepath.Base(dir) + "/")
		loadWall := time.Since(start)
		var firstMS float64
		fmt.Sscan(p.attr("canvas#diagram", "data-first-render-ms"), &firstMS)
		whole, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`window.maelstromDiagram.whole()`))
		if err != nil {
			b.Fatal(err)
		}
		var win, all []float64
		var winDrawn, allDrawn int
		for k := 0; k < 5; k++ {
			from := whole[0] + float64(k)*2
			r := p.render(from, from+5, "")
			win, winDrawn = append(win, r.MS), r.Drawn
			r = p.render(whole[0], whole[1], "")
			all, allDrawn = append(all, r.MS), r.Drawn
		}
		mw, ma := medianF(win), medianF(all)
		load, _ := os.ReadFile("/proc/loadavg")
		fmt.Printf("diagram of %d messages (journal), %d drawn for the whole run; loadavg %s\n  page load to whole run drawn: %.0f ms (wall %v), target < %d ms: %s\n  5 s window (last: %d arrows): median %.1f ms of %.1f, target < %d ms: %s\n  whole run again: median %.1f ms of %.1f, target < %d ms: %s\n",
			len(spans), allDrawn, strings.TrimSpace(string(load)), firstMS, loadWall.Round(time.Millisecond), WholeRenderTargetMS, pass(firstMS < WholeRenderTargetMS),
			winDrawn, mw, win, WindowRenderTargetMS, pass(mw < WindowRenderTargetMS), ma, all, WholeRenderTargetMS, pass(ma < WholeRenderTargetMS))
		b.ReportMetric(firstMS, "load-to-drawn-ms")
		b.ReportMetric(mw, "window5s-ms")
		b.ReportMetric(ma, "whole-ms")
		if os.Getenv("BROWSER_ARTIFACTS") != "" {
			art := artifactDir(b)
			p.render(whole[0]+4, whole[0]+5.5, "")
			p.shot(chromedp.Screenshot(chromedp.CSS("#diagram-wrap")), art, "diagram.png")
			// The run page in a tall window: title, summary, controls and
			// two seconds of the diagram.
			p.do(chromedp.EmulateViewport(1400, 1750))
			p.render(whole[0]+4, whole[0]+6, "")
			p.shot(chromedp.CaptureScreenshot(), art, "run-page.png")
		}
		if pr := problems(); len(pr) > 0 {
			b.Fatalf("browser reported problems:\n%s", strings.Join(pr, "\n"))
		}
	}
}

func medianF(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
