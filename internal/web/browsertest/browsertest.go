// Package browsertest drives a headless Chromium from Go tests, through
// chromedp, so that tests can check the pages of Tessera as a person sees
// them.
//
// A test starts one browser and opens a tab for each person in the story
// (two agents, an agent and a customer, ...). Every tab has its own browser
// context, so cookies, storage and sessions are never shared between tabs:
//
//	b := browsertest.Start(t)
//	agent := b.Tab(t)
//	customer := b.Tab(t, browsertest.Mobile())
//	agent.Navigate(srv.URL + "/login")
//	agent.Run(chromedp.Click(chromedp.CSS("button[type=submit]")))
//	agent.WaitText("h1", "Inbox")
//
// Every step fails the test at once when it returns an error or takes more
// than 15 seconds, and saves a full-page screenshot to
// $TESSERA_SCREENSHOT_DIR, or to artifacts/screenshots at the root of the
// repository. A tab also collects the console errors and the uncaught
// exceptions of its page (see [Tab.JSErrors]); an uncaught exception fails the
// test when it ends, unless the tab was opened with [AllowJSErrors].
//
// The browser is found by [Chromium]. Without one the tests skip, except in
// CI (CI set) or when TESSERA_BROWSER_TESTS=required, where they fail.
//
// A Tab belongs to the test (or subtest) that opened it: use it only from
// that test's goroutine, as its methods call t.Fatalf.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout is how long one action of a tab may take before the test
// fails. A broken page fails fast instead of hanging until the go test
// timeout.
const DefaultTimeout = 15 * time.Second

// WaitTextTimeout is how long [Tab.WaitText] waits for the text.
const WaitTextTimeout = 10 * time.Second

// startTimeout bounds the start of the browser and the opening of a tab.
const startTimeout = 30 * time.Second

// Desktop window size of the browser, and the viewport of [Mobile].
const (
	DesktopWidth  = 1280
	DesktopHeight = 900
	MobileWidth   = 375
	MobileHeight  = 812
)

// Environment variables read by this package.
const (
	// EnvChromium names the browser binary (a path, or a name on PATH).
	EnvChromium = "TESSERA_CHROMIUM"
	// EnvBrowserTests set to "required" makes a missing browser fail the
	// tests instead of skipping them. CI (set) does the same.
	EnvBrowserTests = "TESSERA_BROWSER_TESTS"
	// EnvScreenshotDir is the directory of the screenshots. A relative path
	// is taken from the root of the repository.
	EnvScreenshotDir = "TESSERA_SCREENSHOT_DIR"
)

// candidates are the browser names looked up on PATH, in order.
var candidates = []string{"chromium", "chromium-browser", "google-chrome"}

// Chromium returns the path of the browser: $TESSERA_CHROMIUM, else the
// first of chromium, chromium-browser and google-chrome found on PATH. When
// there is none, the test skips; in CI (CI set) or with
// TESSERA_BROWSER_TESTS=required it fails instead, so that browser tests
// cannot pass by skipping there.
func Chromium(t testing.TB) string {
	t.Helper()
	if name := os.Getenv(EnvChromium); name != "" {
		path, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("browsertest: %s=%q is not an executable: %v", EnvChromium, name, err)
		}
		return path
	}
	for _, name := range candidates {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := fmt.Sprintf("browsertest: no Chromium found: set %s, or put one of %s on PATH (Debian: apt-get install chromium)",
		EnvChromium, strings.Join(candidates, ", "))
	if required() {
		t.Fatal(msg + "; browser tests are required here (CI or " + EnvBrowserTests + "=required), so they cannot skip")
	}
	t.Skip(msg)
	return ""
}

// required reports whether browser tests must run rather than skip.
func required() bool {
	if os.Getenv(EnvBrowserTests) == "required" {
		return true
	}
	ci := strings.ToLower(os.Getenv("CI"))
	return ci != "" && ci != "false" && ci != "0"
}

// Browser is one headless Chromium process, owned by one test.
type Browser struct {
	ctx  context.Context // the root chromedp context; the browser runs while it lives
	Path string          // the browser binary
}

// Start starts a headless Chromium for the test and stops it when the test
// ends. The browser gets a fresh profile in t.TempDir(), a 1280x900 window,
// and exactly these switches: --headless --no-sandbox --disable-gpu
// --disable-quic --no-first-run --disable-background-networking
// --disable-component-update --disable-sync.
func Start(t testing.TB) *Browser {
	t.Helper()
	path := Chromium(t)
	profile := t.TempDir()
	output := &tailBuffer{max: 8 << 10}

	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
		chromedp.CombinedOutput(output),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop := func() {
		// Close gracefully, so that no child process still writes to the
		// profile when t.TempDir removes it; then make sure it is gone.
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		_ = chromedp.Cancel(cctx)
		ccancel()
		cancel()
		allocCancel()
	}
	if err := doWithin(ctx, startTimeout); err != nil {
		stop()
		t.Fatalf("browsertest: starting %s: %v\nbrowser output:\n%s", path, err, output.String())
	}
	t.Cleanup(stop)
	return &Browser{ctx: ctx, Path: path}
}

// doWithin runs the first (empty) chromedp.Do on ctx, which starts the
// browser or opens the tab, and gives up after d. The first Do must not run
// on a context with a deadline: what it starts lives as long as that
// context.
func doWithin(ctx context.Context, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("no answer after %s", d)
	}
}

// TabOption configures a tab opened by [Browser.Tab].
type TabOption func(*tabConfig)

type tabConfig struct {
	mobile        bool
	allowJSErrors bool
	timeout       time.Duration
}

// Mobile gives the tab a 375x812 mobile viewport, with touch events.
func Mobile() TabOption { return func(c *tabConfig) { c.mobile = true } }

// AllowJSErrors keeps the tab from failing the test when its page throws an
// uncaught exception; the test can check [Tab.JSErrors] itself.
func AllowJSErrors() TabOption { return func(c *tabConfig) { c.allowJSErrors = true } }

// Timeout replaces [DefaultTimeout] for each action of the tab.
func Timeout(d time.Duration) TabOption { return func(c *tabConfig) { c.timeout = d } }

// Tab is one browser tab in its own browser context: its cookies, storage
// and cache are its own, so each tab is a separate user.
type Tab struct {
	t       testing.TB
	ctx     context.Context
	cfg     tabConfig
	failure atomic.Bool // a failure screenshot was saved

	mu         sync.Mutex
	jsErrors   []string
	exceptions int
}

// Tab opens a new tab, in a new browser context, for the test t. The tab
// closes when t ends; if t failed, a screenshot of the page is saved first,
// and if the page threw an uncaught exception, t fails.
func (b *Browser) Tab(t testing.TB, opts ...TabOption) *Tab {
	t.Helper()
	tab := &Tab{t: t, cfg: tabConfig{timeout: DefaultTimeout}}
	for _, o := range opts {
		o(&tab.cfg)
	}
	ctx, cancel := chromedp.NewContext(b.ctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(tab.onEvent),
	)
	tab.ctx = ctx
	if err := doWithin(ctx, startTimeout); err != nil {
		cancel()
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	t.Cleanup(func() {
		defer cancel()
		tab.finish()
	})
	if tab.cfg.mobile {
		tab.Run(mobileViewport)
	}
	return tab
}

// mobileViewport is the viewport of [Mobile].
var mobileViewport = chromedp.EmulateViewport(MobileWidth, MobileHeight,
	chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)

// finish runs when the test of the tab ends.
func (tb *Tab) finish() {
	t := tb.t
	tb.mu.Lock()
	jsErrors, exceptions := slices.Clone(tb.jsErrors), tb.exceptions
	tb.mu.Unlock()
	if exceptions > 0 && !tb.cfg.allowJSErrors {
		t.Errorf("browsertest: the page threw %d uncaught JavaScript exception(s); console errors and exceptions:\n\t%s",
			exceptions, strings.Join(jsErrors, "\n\t"))
	} else if t.Failed() && len(jsErrors) > 0 {
		t.Logf("browsertest: console errors and exceptions of the page:\n\t%s", strings.Join(jsErrors, "\n\t"))
	}
	if t.Failed() && !tb.failure.Load() {
		if path, err := tb.saveScreenshot("failed"); err != nil {
			t.Logf("browsertest: no screenshot of the failed test: %v", err)
		} else {
			t.Logf("browsertest: screenshot of the failed test: %s", path)
		}
	}
}

// onEvent collects the console errors and the uncaught exceptions. It runs
// on the goroutine that reads the tab's messages: it must be quick.
func (tb *Tab) onEvent(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "uncaught exception: " + exceptionText(ev.ExceptionDetails)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		msg = "console." + string(ev.Type) + ": " + argsText(ev.Args) + stackPlace(ev.StackTrace)
	default:
		return
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.jsErrors = append(tb.jsErrors, msg)
	if _, ok := ev.(*runtime.EventExceptionThrown); ok {
		tb.exceptions++
	}
}

// JSErrors returns the console errors ("console.error: ...") and the uncaught
// exceptions ("uncaught exception: ...") of the tab's pages so far, in
// order.
func (tb *Tab) JSErrors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.jsErrors)
}

// Context returns the chromedp context of the tab, for direct chromedp
// calls (without the timeout and the screenshot on failure).
func (tb *Tab) Context() context.Context { return tb.ctx }

// Run runs the actions in order, each within the tab's timeout. The first
// error saves a screenshot and fails the test.
func (tb *Tab) Run(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	for i, a := range actions {
		if _, err := run(tb, a); err != nil {
			what := "action"
			if len(actions) > 1 {
				what = fmt.Sprintf("action %d of %d", i+1, len(actions))
			}
			tb.fail(what, err)
		}
	}
}

// Get runs one action that returns a value, within the tab's timeout, and
// returns the value; an error saves a screenshot and fails the test.
func Get[T any](tb *Tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	v, err := run(tb, a)
	if err != nil {
		tb.fail("action", err)
	}
	return v
}

// Eval evaluates a JavaScript expression in the page and returns its value,
// decoded into T (as chromedp.Evaluate does). An exception or a value of
// the wrong type fails the test.
func Eval[T any](tb *Tab, expression string) T {
	tb.t.Helper()
	v, err := run(tb, chromedp.Evaluate[T](expression))
	if err != nil {
		tb.fail(fmt.Sprintf("evaluating %q", expression), err)
	}
	return v
}

func run[T any](tb *Tab, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, tb.cfg.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s: %w", tb.cfg.timeout, err)
	}
	return v, err
}

// fail saves a screenshot, logs its path and fails the test.
func (tb *Tab) fail(what string, err error) {
	tb.t.Helper()
	tb.failure.Store(true)
	if path, serr := tb.saveScreenshot("failed"); serr != nil {
		tb.t.Logf("browsertest: no screenshot: %v", serr)
	} else {
		tb.t.Logf("browsertest: screenshot: %s", path)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	url, _ := chromedp.Run(ctx, chromedp.Location())
	cancel()
	tb.t.Fatalf("browsertest: %s failed on %q: %v", what, url, err)
}

// Navigate loads url in the tab and waits for its load event.
func (tb *Tab) Navigate(url string) {
	tb.t.Helper()
	tb.Run(chromedp.Navigate(url))
}

// Text returns the visible text (innerText) of the first element matching
// the CSS selector, waiting for the element to exist.
func (tb *Tab) Text(sel string) string {
	tb.t.Helper()
	v, err := run(tb, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.fail(fmt.Sprintf("Text(%q)", sel), err)
	}
	return v
}

// Attr returns the attribute name of the first element matching the CSS
// selector ("" when the element has no such attribute), waiting for the
// element to exist.
func (tb *Tab) Attr(sel, name string) string {
	tb.t.Helper()
	v, err := run(tb, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		tb.fail(fmt.Sprintf("Attr(%q, %q)", sel, name), err)
	}
	return v.Value
}

// WaitText waits up to 10 seconds for the innerText of the first element
// matching the CSS selector to contain substring, and fails the test with
// the last text seen when it does not. It keeps polling across page loads,
// so it can follow a click that submits a form.
func (tb *Tab) WaitText(sel, substring string) {
	tb.t.Helper()
	quoted, _ := json.Marshal(sel)
	expr := fmt.Sprintf(`(() => { const el = document.querySelector(%s); return el ? el.innerText : null; })()`, quoted)
	deadline := time.Now().Add(WaitTextTimeout)
	var last *string
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, time.Until(deadline)+time.Second)
		text, err := chromedp.Run(ctx, chromedp.Evaluate[*string](expr))
		cancel()
		if err == nil {
			last, lastErr = text, nil
			if text != nil && strings.Contains(*text, substring) {
				return
			}
		} else {
			lastErr = err // often a page that is loading: try again
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var got string
	switch {
	case last != nil:
		got = fmt.Sprintf("its text is %q", *last)
	case lastErr != nil:
		got = fmt.Sprintf("last error: %v", lastErr)
	default:
		got = "no element matches"
	}
	tb.fail(fmt.Sprintf("WaitText(%q, %q)", sel, substring),
		fmt.Errorf("text not there after %s; %s", WaitTextTimeout, got))
}

// WaitLive waits up to 10 seconds for the page's live-event stream to be
// open, so that a change made after it reaches the page: the stream starts
// from the moment it connects.
func (tb *Tab) WaitLive() {
	tb.t.Helper()
	const expr = `!!(window.Tessera && Tessera.source && Tessera.source.readyState === 1)`
	deadline := time.Now().Add(WaitTextTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, time.Until(deadline)+time.Second)
		open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && open {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.fail("WaitLive", fmt.Errorf("the live-event stream did not open within %s", WaitTextTimeout))
}

// Screenshot saves a full-page PNG of the tab and returns its path. The file
// is named after the test, a counter and name, in $TESSERA_SCREENSHOT_DIR or
// artifacts/screenshots at the root of the repository.
func (tb *Tab) Screenshot(name string) string {
	tb.t.Helper()
	path, err := tb.saveScreenshot(name)
	if err != nil {
		tb.t.Fatalf("browsertest: screenshot %q: %v", name, err)
	}
	tb.t.Logf("browsertest: screenshot: %s", path)
	return path
}

// shots numbers the screenshots of the test binary.
var shots atomic.Int64

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (tb *Tab) saveScreenshot(name string) (string, error) {
	dir, err := ScreenshotDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, tb.fullPage)
	if err != nil {
		return "", fmt.Errorf("capturing the page: %w", err)
	}
	file := fmt.Sprintf("%s-%03d", unsafeChars.ReplaceAllString(tb.t.Name(), "_"), shots.Add(1))
	if name = unsafeChars.ReplaceAllString(name, "_"); name != "" {
		file += "-" + name
	}
	path := filepath.Join(dir, file+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// maxShotHeight bounds the height of a full-page screenshot, in CSS pixels.
const maxShotHeight = 16384

// fullPage captures the whole height of the page as PNG. Chromium 156's own
// full-page capture (captureBeyondViewport, as in chromedp.FullScreenshot)
// draws a right-to-left page reached through a redirect shifted out of the
// picture (the test PageClickAndDirection shows it), so this does as
// Puppeteer did:
// when the page is taller than the viewport, it makes the viewport as tall
// as the page (same width, so the layout stays), captures it, and puts the
// viewport and the scroll position back.
func (tb *Tab) fullPage(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	type metrics struct{ W, H, X, Y, Content int64 }
	m, err := chromedp.Evaluate[metrics](`({W: innerWidth, H: innerHeight, X: Math.round(scrollX), Y: Math.round(scrollY),
		Content: Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)})`)(ctx, t)
	if err == nil && m.Content > m.H {
		override := emulation.SetDeviceMetricsOverrideParams{
			Width: m.W, Height: min(m.Content, maxShotHeight), DeviceScaleFactor: 1, Mobile: tb.cfg.mobile,
		}
		if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, override); err == nil {
			defer func() {
				if tb.cfg.mobile {
					_, _ = mobileViewport(ctx, t)
				} else {
					_, _ = cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
				}
				_, _ = chromedp.Evaluate[chromedp.Void](fmt.Sprintf("scrollTo(%d, %d)", m.X, m.Y))(ctx, t)
			}()
		}
	}
	res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng})
	if err != nil {
		return nil, err
	}
	return res.Data, nil
}

// ScreenshotDir returns where screenshots go: $TESSERA_SCREENSHOT_DIR (a
// relative path is taken from the repository root), else
// artifacts/screenshots under the repository root, the nearest directory
// above the working directory that holds go.mod.
func ScreenshotDir() (string, error) {
	dir := os.Getenv(EnvScreenshotDir)
	if dir != "" && filepath.IsAbs(dir) {
		return dir, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if dir != "" {
		return filepath.Join(root, dir), nil
	}
	return filepath.Join(root, "artifacts", "screenshots"), nil
}

// RepoRoot returns the nearest directory at or above the working directory
// that holds a go.mod.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod at or above %s", wd)
		}
		dir = parent
	}
}

// exceptionText renders an uncaught exception as DevTools does, with the
// place it was thrown.
func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	text := d.Text
	if obj := d.Exception; obj != nil {
		desc := obj.Description
		if desc == "" {
			desc = valueText(obj)
		}
		desc, _, _ = strings.Cut(desc, "\n    at ")
		text = strings.TrimSpace(text + " " + desc)
	}
	url := d.URL
	if url == "" && d.StackTrace != nil && len(d.StackTrace.CallFrames) > 0 {
		url = d.StackTrace.CallFrames[0].URL
	}
	if url != "" {
		text += fmt.Sprintf(" (%s:%d:%d)", url, d.LineNumber+1, d.ColumnNumber+1)
	}
	return text
}

func stackPlace(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" (%s:%d:%d)", f.URL, f.LineNumber+1, f.ColumnNumber+1)
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		parts = append(parts, valueText(a))
	}
	return strings.Join(parts, " ")
}

func valueText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if err := json.Unmarshal(o.Value, &s); err == nil {
			return s
		}
	}
	switch {
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case len(o.Value) > 0 && o.Type != runtime.RemoteObjectTypeObject:
		return string(o.Value)
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	}
	return string(o.Type)
}

// tailBuffer keeps the last max bytes written to it: the browser's output,
// shown when it does not start.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = slices.Delete(b.buf, 0, over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
