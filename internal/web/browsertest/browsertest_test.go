package browsertest_test

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tessera/internal/web/browsertest"
)

// testSite is the small site the tests browse: a right-to-left page that
// shows the "user" cookie the server got, a button that changes a text
// through inline JavaScript (a little later, so that WaitText has to wait),
// a log-in URL that sets the cookie, and a page that throws.
func testSite() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		user := "(none)"
		if c, err := r.Cookie("user"); err == nil {
			user = c.Value
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html>
<html dir="rtl" lang="ar">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>تذكرة</title>
<link rel="icon" href="data:,">
</head>
<body>
<h1>مرحبا</h1>
<p id="who">user: %s</p>
<a id="help" href="/help" data-kind="docs">Help</a>
<button id="btn" type="button" onclick="setTimeout(() => { document.getElementById('out').textContent = 'clicked ' + (++window.clicks); }, 300)">Click</button>
<p id="out">not clicked</p>
<script>window.clicks = 0;</script>
</body>
</html>`, html.EscapeString(user))
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "user", Value: r.URL.Query().Get("user"), Path: "/"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /throw", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>throws</title></head>
<body><p id="msg">this page throws</p>
<script>
console.error("something went wrong", 42);
throw new Error("boom from the page");
</script>
</body></html>`)
	})
	return mux
}

func TestBrowser(t *testing.T) {
	started := time.Now()
	srv := httptest.NewServer(testSite())
	t.Cleanup(srv.Close)
	b := browsertest.Start(t)
	t.Logf("browser %s started in %s", b.Path, time.Since(started).Round(time.Millisecond))

	t.Run("TwoUsersHaveSeparateCookies", func(t *testing.T) {
		alice := b.Tab(t)
		bob := b.Tab(t)
		alice.Navigate(srv.URL + "/login?user=alice")
		bob.Navigate(srv.URL + "/login?user=bob")

		// Bob's log-in did not overwrite Alice's cookie, and the other way round.
		alice.Navigate(srv.URL + "/")
		if got := alice.Text("#who"); got != "user: alice" {
			t.Errorf("alice's tab: the server saw %q, want %q", got, "user: alice")
		}
		if got := bob.Text("#who"); got != "user: bob" {
			t.Errorf("bob's tab: the server saw %q, want %q", got, "user: bob")
		}
		if got := browsertest.Eval[string](alice, "document.cookie"); got != "user=alice" {
			t.Errorf("alice's document.cookie = %q, want user=alice", got)
		}
		if got := browsertest.Eval[string](bob, "document.cookie"); got != "user=bob" {
			t.Errorf("bob's document.cookie = %q, want user=bob", got)
		}

		// A third tab, that never logged in, has no cookie at all.
		anon := b.Tab(t)
		anon.Navigate(srv.URL + "/")
		if got := anon.Text("#who"); got != "user: (none)" {
			t.Errorf("a fresh tab: the server saw %q, want no cookie", got)
		}
		if got := browsertest.Eval[string](anon, "document.cookie"); got != "" {
			t.Errorf("a fresh tab's document.cookie = %q, want empty", got)
		}
	})

	t.Run("PageClickAndDirection", func(t *testing.T) {
		t.Setenv(browsertest.EnvScreenshotDir, t.TempDir())
		tab := b.Tab(t)
		// Through a redirect: after one, Chromium's own full-page capture
		// (chromedp.FullScreenshot) draws this right-to-left page shifted
		// out of the picture. The screenshot must show the heading at the
		// top right.
		tab.Navigate(srv.URL + "/login?user=carol")
		path := tab.Screenshot("loaded")
		img := assertPNG(t, path)
		if b := img.Bounds(); b.Dx() != browsertest.DesktopWidth || !hasInk(img, image.Rect(b.Dx()-200, 0, b.Dx(), 200)) {
			t.Errorf("screenshot %s: %v, want %d px wide with the heading at the top right", path, b, browsertest.DesktopWidth)
		}
		if got := browsertest.Eval[string](tab, "document.documentElement.dir"); got != "rtl" {
			t.Errorf("document.documentElement.dir = %q, want rtl", got)
		}
		if got := tab.Attr("html", "dir"); got != "rtl" {
			t.Errorf(`Attr("html", "dir") = %q, want rtl`, got)
		}
		if got := tab.Attr("#help", "data-kind"); got != "docs" {
			t.Errorf(`Attr("#help", "data-kind") = %q, want docs`, got)
		}
		if got := tab.Attr("#help", "no-such-attribute"); got != "" {
			t.Errorf("a missing attribute = %q, want empty", got)
		}
		if got := tab.Text("#out"); got != "not clicked" {
			t.Errorf("before the click: %q", got)
		}
		tab.Run(chromedp.Click(chromedp.CSS("#btn")))
		tab.WaitText("#out", "clicked 1") // the page changes it 300 ms later
		tab.Run(chromedp.Click(chromedp.CSS("#btn")))
		tab.WaitText("#out", "clicked 2")
		if got := tab.Text("#out"); got != "clicked 2" {
			t.Errorf("after two clicks: %q", got)
		}
		if w := browsertest.Eval[int](tab, "window.innerWidth"); w != browsertest.DesktopWidth {
			t.Errorf("desktop window.innerWidth = %d, want %d", w, browsertest.DesktopWidth)
		}
		if errs := tab.JSErrors(); len(errs) != 0 {
			t.Errorf("a clean page reported JS errors: %q", errs)
		}

		path = tab.Screenshot("clicked twice")
		if !strings.HasSuffix(path, "-clicked_twice.png") || !strings.Contains(filepath.Base(path), "TestBrowser_PageClickAndDirection-") {
			t.Errorf("screenshot path %q: want it named after the test, a counter and the name", path)
		}
		assertPNG(t, path)
	})

	t.Run("MobileViewport", func(t *testing.T) {
		t.Setenv(browsertest.EnvScreenshotDir, t.TempDir())
		tab := b.Tab(t, browsertest.Mobile())
		tab.Navigate(srv.URL + "/")
		if w := browsertest.Eval[int](tab, "window.innerWidth"); w != browsertest.MobileWidth {
			t.Errorf("mobile window.innerWidth = %d, want %d", w, browsertest.MobileWidth)
		}
		if h := browsertest.Eval[int](tab, "window.innerHeight"); h != browsertest.MobileHeight {
			t.Errorf("mobile window.innerHeight = %d, want %d", h, browsertest.MobileHeight)
		}
		// A full-page screenshot of a tall page has the whole page, and
		// leaves the viewport and the scroll position as they were.
		browsertest.Eval[chromedp.Void](tab, `for (let i = 0; i < 60; i++) {
			document.body.insertAdjacentHTML('beforeend', '<p>سطر ' + i + '</p>');
		}
		scrollTo(0, 300);`)
		img := assertPNG(t, tab.Screenshot("tall"))
		if b := img.Bounds(); b.Dx() != browsertest.MobileWidth || b.Dy() < 2*browsertest.MobileHeight {
			t.Errorf("full-page screenshot of a tall mobile page: %v, want %d px wide and the whole height", b, browsertest.MobileWidth)
		}
		if got := browsertest.Eval[[]int](tab, "[innerWidth, innerHeight, scrollY]"); !slices.Equal(got, []int{375, 812, 300}) {
			t.Errorf("after the screenshot [innerWidth, innerHeight, scrollY] = %v, want [375 812 300]", got)
		}

		// The desktop tabs keep their own size.
		desk := b.Tab(t)
		desk.Navigate(srv.URL + "/")
		if w := browsertest.Eval[int](desk, "window.innerWidth"); w != browsertest.DesktopWidth {
			t.Errorf("desktop tab next to a mobile one: innerWidth = %d, want %d", w, browsertest.DesktopWidth)
		}
	})

	t.Run("JSErrorsAreCollected", func(t *testing.T) {
		tab := b.Tab(t, browsertest.AllowJSErrors())
		tab.Navigate(srv.URL + "/throw")
		errs := tab.JSErrors()
		if len(errs) != 2 {
			t.Fatalf("JSErrors() = %q, want a console error and an exception", errs)
		}
		if !strings.HasPrefix(errs[0], "console.error: something went wrong 42 (") {
			t.Errorf("JSErrors()[0] = %q, want the console.error call", errs[0])
		}
		if !strings.HasPrefix(errs[1], "uncaught exception: Uncaught Error: boom from the page (") ||
			!strings.Contains(errs[1], srv.URL+"/throw:") {
			t.Errorf("JSErrors()[1] = %q, want the uncaught exception and where it was thrown", errs[1])
		}
		// The list is a copy.
		errs[0] = "changed"
		if tab.JSErrors()[0] == "changed" {
			t.Error("JSErrors() returned its own slice")
		}
	})

	// The failure paths run against a fake testing.TB, so that they fail the
	// fake and not this test.
	t.Run("UncaughtExceptionFailsTheTest", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(browsertest.EnvScreenshotDir, dir)
		f := runFake(t, func(tb testing.TB) {
			tab := b.Tab(tb)
			tab.Navigate(srv.URL + "/throw")
		})
		if !f.Failed() {
			t.Fatal("a page that throws did not fail the test")
		}
		if msg := f.messages(); !strings.Contains(msg, "the page threw 1 uncaught JavaScript exception") ||
			!strings.Contains(msg, "boom from the page") {
			t.Errorf("failure message %q: want the uncaught exception", msg)
		}
		assertOneScreenshot(t, dir, "-failed.png", f.logs())
	})

	t.Run("FailedActionSavesScreenshot", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(browsertest.EnvScreenshotDir, dir)
		after := false
		start := time.Now()
		f := runFake(t, func(tb testing.TB) {
			tab := b.Tab(tb, browsertest.Timeout(time.Second))
			tab.Navigate(srv.URL + "/")
			tab.Text("#no-such-element")
			after = true
		})
		if took := time.Since(start); took > 8*time.Second {
			t.Errorf("a missing element took %s to fail, want about the 1 s timeout", took)
		}
		if after {
			t.Error("the test went on after a failed action")
		}
		if !f.Failed() {
			t.Fatal("a failed action did not fail the test")
		}
		if msg := f.messages(); !strings.Contains(msg, `Text("#no-such-element") failed`) ||
			!strings.Contains(msg, "timed out after 1s") {
			t.Errorf("failure message %q: want the action and the timeout", msg)
		}
		// One screenshot when the action failed, none more at the cleanup.
		assertOneScreenshot(t, dir, "-failed.png", f.logs())
	})
}

func TestChromiumLookup(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	t.Setenv(browsertest.EnvChromium, "")
	t.Setenv(browsertest.EnvBrowserTests, "")
	t.Setenv("CI", "")

	f := runFake(t, func(tb testing.TB) { browsertest.Chromium(tb) })
	if !f.skipped || f.Failed() {
		t.Errorf("no browser outside CI: skipped=%v failed=%v, want a skip", f.skipped, f.Failed())
	}

	t.Setenv("CI", "true")
	f = runFake(t, func(tb testing.TB) { browsertest.Chromium(tb) })
	if f.skipped || !f.Failed() || !strings.Contains(f.messages(), "no Chromium found") {
		t.Errorf("no browser in CI: skipped=%v failed=%v %q, want a failure", f.skipped, f.Failed(), f.messages())
	}

	t.Setenv("CI", "")
	t.Setenv(browsertest.EnvBrowserTests, "required")
	f = runFake(t, func(tb testing.TB) { browsertest.Chromium(tb) })
	if f.skipped || !f.Failed() {
		t.Errorf("no browser with %s=required: skipped=%v failed=%v, want a failure", browsertest.EnvBrowserTests, f.skipped, f.Failed())
	}

	// TESSERA_CHROMIUM wins, and a name is looked up on PATH.
	fake := filepath.Join(empty, "my-chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{fake, "my-chromium"} {
		t.Setenv(browsertest.EnvChromium, name)
		var got string
		f = runFake(t, func(tb testing.TB) { got = browsertest.Chromium(tb) })
		if f.Failed() || f.skipped || got != fake {
			t.Errorf("%s=%s: got %q (failed=%v), want %q", browsertest.EnvChromium, name, got, f.Failed(), fake)
		}
	}
	t.Setenv(browsertest.EnvChromium, filepath.Join(empty, "missing"))
	f = runFake(t, func(tb testing.TB) { browsertest.Chromium(tb) })
	if !f.Failed() {
		t.Errorf("%s naming a missing file did not fail", browsertest.EnvChromium)
	}

	// chromium, chromium-browser and google-chrome are looked up in order.
	t.Setenv(browsertest.EnvChromium, "")
	for _, name := range []string{"google-chrome", "chromium-browser", "chromium"} {
		if err := os.WriteFile(filepath.Join(empty, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		var got string
		runFake(t, func(tb testing.TB) { got = browsertest.Chromium(tb) })
		if want := filepath.Join(empty, name); got != want {
			t.Errorf("with %s on PATH: got %q, want %q", name, got, want)
		}
	}
}

// fakeTB stands in for a test whose failure is the thing under test. It
// passes everything else (Name, TempDir, Logf, ...) to the real test.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	failed   bool
	skipped  bool
	errs     []string
	logLines []string
	cleanups []func()
}

func (f *fakeTB) record(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.errs = append(f.errs, msg)
}

func (f *fakeTB) Errorf(format string, args ...any) { f.record(fmt.Sprintf(format, args...)) }
func (f *fakeTB) Error(args ...any)                 { f.record(fmt.Sprint(args...)) }
func (f *fakeTB) Fail()                             { f.record("Fail") }
func (f *fakeTB) FailNow()                          { f.record("FailNow"); runtime.Goexit() }
func (f *fakeTB) Fatalf(format string, args ...any) { f.Errorf(format, args...); runtime.Goexit() }
func (f *fakeTB) Fatal(args ...any)                 { f.Error(args...); runtime.Goexit() }
func (f *fakeTB) Skip(args ...any)                  { f.SkipNow() }
func (f *fakeTB) Skipf(format string, args ...any)  { f.SkipNow() }
func (f *fakeTB) SkipNow()                          { f.mu.Lock(); f.skipped = true; f.mu.Unlock(); runtime.Goexit() }

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *fakeTB) Logf(format string, args ...any) {
	f.TB.Helper()
	f.mu.Lock()
	f.logLines = append(f.logLines, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	f.TB.Logf("(fake test) "+format, args...)
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *fakeTB) messages() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errs, "\n")
}

func (f *fakeTB) logs() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.logLines, "\n")
}

// runFake runs body as a test on a fakeTB, in its own goroutine so that a
// Fatal or a Skip ends only the body, then runs its cleanups, last first.
func runFake(t *testing.T, body func(tb testing.TB)) *fakeTB {
	f := &fakeTB{TB: t}
	inGoroutine := func(fn func()) {
		done := make(chan struct{})
		go func() { defer close(done); fn() }()
		<-done
	}
	inGoroutine(func() { body(f) })
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		inGoroutine(f.cleanups[i])
	}
	return f
}

func assertPNG(t *testing.T, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	return img
}

// hasInk reports whether r of img holds a dark pixel.
func hasInk(img image.Image, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := color.GrayModel.Convert(img.At(x, y)).(color.Gray); c.Y < 100 {
				return true
			}
		}
	}
	return false
}

// assertOneScreenshot checks that dir holds exactly one screenshot, named
// with suffix, and that its path was logged.
func assertOneScreenshot(t *testing.T, dir, suffix, logs string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || !strings.HasSuffix(files[0], suffix) {
		t.Fatalf("screenshots in %s: %q, want one named *%s", dir, files, suffix)
	}
	assertPNG(t, files[0])
	if !strings.Contains(logs, files[0]) {
		t.Errorf("the screenshot path %s was not logged; logs:\n%s", files[0], logs)
	}
}
