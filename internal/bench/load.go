package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// LoadOptions configure a load run.
type LoadOptions struct {
	URL, Token string
	// Scenario is create, read, list, search, mixed, or pages (the
	// workspace's HTML: views and ticket pages, signed in as Email).
	Scenario    string
	Concurrency int
	// Email and Password sign in to the workspace for the pages scenario.
	Email, Password string
	// Warmup runs before the measured Duration and is not counted.
	Warmup, Duration time.Duration
	// MaxRequests caps the measured requests (0: 1,000,000).
	MaxRequests int64
	// PID of the server, to read its memory from /proc; 0 reads
	// process_resident_memory_bytes from /metrics instead.
	PID int
	// TeamID for the list scenario (0: the team with the lowest id).
	TeamID int64
	// Pages walked per list request chain (default 50).
	Pages int
	// TicketIDs for the read scenario (default: found through the API,
	// tickets with long threads).
	TicketIDs []int64
	Seed      int64
	Out       io.Writer
}

// LoadReport is the outcome of a run.
type LoadReport struct {
	Scenario    string
	Concurrency int
	Elapsed     time.Duration
	Requests    int64
	Kinds       []KindStats
	// Server memory in bytes: peak (VmHWM) and current (VmRSS), and the
	// highest VmRSS sampled during the run; zero when unknown.
	PeakRSS, RSS, MaxSampledRSS int64
}

// KindStats summarises one kind of request.
type KindStats struct {
	Kind               string
	Count              int
	PerSecond          float64
	P50, P90, P99, Max time.Duration
	Errors             map[int]int // by HTTP status; 0 is a transport error
}

// CheckLoopback refuses any URL that does not point at this machine: the
// load tool must never be aimed at someone else's server.
func CheckLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("url %q: want http:// or https://", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return u, nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return u, nil
	}
	return nil, fmt.Errorf("url %q: the load tool only targets loopback addresses (127.0.0.1, ::1, localhost)", raw)
}

func loadCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tessera bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o LoadOptions
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	fs.StringVar(&o.Token, "token", os.Getenv("TESSERA_TOKEN"), "API token of an agent")
	fs.StringVar(&o.Scenario, "scenario", "mixed", "create, read, list, search, mixed or pages")
	fs.StringVar(&o.Email, "email", "", "agent email for the pages scenario")
	fs.StringVar(&o.Password, "password", os.Getenv("TESSERA_PASSWORD"), "agent password for the pages scenario (or TESSERA_PASSWORD)")
	fs.IntVar(&o.Concurrency, "concurrency", 8, "concurrent clients (closed loop)")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "measured time")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured time before it")
	fs.Int64Var(&o.MaxRequests, "max-requests", 1000000, "stop after this many measured requests")
	fs.IntVar(&o.PID, "pid", 0, "server process id, to report its memory from /proc (else /metrics is read)")
	fs.Int64Var(&o.TeamID, "team-id", 0, "team for the list scenario (default: lowest team id)")
	fs.IntVar(&o.Pages, "pages", 50, "pages walked per list chain")
	ids := fs.String("ticket-ids", "", "comma-separated ticket ids for the read scenario (default: found via the API)")
	fs.Int64Var(&o.Seed, "seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	for _, s := range strings.Split(*ids, ",") {
		if s = strings.TrimSpace(s); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("--ticket-ids: %q is not an id", s)
			}
			o.TicketIDs = append(o.TicketIDs, id)
		}
	}
	o.Out = stdout
	rep, err := Load(ctx, o)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	return nil
}

type loader struct {
	o       LoadOptions
	base    string
	client  *http.Client
	session *http.Cookie // the workspace session, for the pages scenario
	teams   []int64
	ids     []int64
	team    int64
	count   atomic.Int64
	start   time.Time
	warm    time.Time // measuring starts
	end     time.Time
}

type recorder struct {
	lat    map[string][]time.Duration
	errors map[string]map[int]int
}

func newRecorder() *recorder {
	return &recorder{lat: map[string][]time.Duration{}, errors: map[string]map[int]int{}}
}

// Load runs one scenario against a server and reports latencies.
func Load(ctx context.Context, o LoadOptions) (*LoadReport, error) {
	u, err := CheckLoopback(o.URL)
	if err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("bench load: --token is required")
	}
	switch o.Scenario {
	case "create", "read", "list", "search", "mixed", "pages":
	default:
		return nil, fmt.Errorf("bench load: unknown scenario %q", o.Scenario)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Duration <= 0 {
		o.Duration = 20 * time.Second
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = 1000000
	}
	if o.Pages <= 0 {
		o.Pages = 50
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	l := &loader{o: o, base: strings.TrimSuffix(u.String(), "/"), ids: o.TicketIDs}
	l.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 4 * o.Concurrency, MaxIdleConnsPerHost: 4 * o.Concurrency, DisableCompression: true, IdleConnTimeout: time.Minute},
		// Never follow a redirect: it could lead off this machine.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if err := l.prepare(ctx); err != nil {
		return nil, err
	}

	var rssMax atomic.Int64
	stopSampling := make(chan struct{})
	var samplerWG sync.WaitGroup
	if o.PID > 0 {
		samplerWG.Go(func() {
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				if _, rss, err := procMemory(o.PID); err == nil && rss > rssMax.Load() {
					rssMax.Store(rss)
				}
				select {
				case <-stopSampling:
					return
				case <-t.C:
				}
			}
		})
	}

	fmt.Fprintf(o.Out, "scenario %s: %d clients, %s warm-up, %s measured, at most %d requests\n", o.Scenario, o.Concurrency, o.Warmup, o.Duration, o.MaxRequests)
	l.start = time.Now()
	l.warm = l.start.Add(o.Warmup)
	l.end = l.warm.Add(o.Duration)
	ctx, cancel := context.WithDeadline(ctx, l.end.Add(5*time.Second))
	defer cancel()
	recs := make([]*recorder, o.Concurrency)
	var wg sync.WaitGroup
	for w := range o.Concurrency {
		recs[w] = newRecorder()
		wg.Go(func() { l.worker(ctx, w, recs[w]) })
	}
	wg.Wait()
	elapsed := min(time.Since(l.warm), o.Duration)
	close(stopSampling)
	samplerWG.Wait()

	rep := &LoadReport{Scenario: o.Scenario, Concurrency: o.Concurrency, Elapsed: elapsed, MaxSampledRSS: rssMax.Load()}
	all := map[string][]time.Duration{}
	errs := map[string]map[int]int{}
	for _, r := range recs {
		for k, v := range r.lat {
			all[k] = append(all[k], v...)
		}
		for k, m := range r.errors {
			if errs[k] == nil {
				errs[k] = map[int]int{}
			}
			for st, n := range m {
				errs[k][st] += n
			}
		}
	}
	kinds := make([]string, 0, len(all))
	for k := range all {
		kinds = append(kinds, k)
	}
	for k := range errs {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		lat := all[k]
		slices.Sort(lat)
		ks := KindStats{Kind: k, Count: len(lat), PerSecond: float64(len(lat)) / elapsed.Seconds(), Errors: errs[k]}
		if len(lat) > 0 {
			ks.P50, ks.P90, ks.P99, ks.Max = quantile(lat, .5), quantile(lat, .9), quantile(lat, .99), lat[len(lat)-1]
		}
		if !strings.Contains(k, "page") {
			rep.Requests += int64(len(lat))
			for _, n := range ks.Errors {
				rep.Requests += int64(n)
			}
		}
		rep.Kinds = append(rep.Kinds, ks)
	}
	if o.PID > 0 {
		rep.PeakRSS, rep.RSS, _ = procMemory(o.PID)
	} else {
		rep.RSS = l.metricsRSS(context.Background())
	}
	return rep, nil
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// procMemory reads a process's peak and current resident set size.
func procMemory(pid int) (hwm, rss int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmHWM":
			hwm = n << 10
		case "VmRSS":
			rss = n << 10
		}
	}
	return hwm, rss, sc.Err()
}

func (l *loader) metricsRSS(ctx context.Context) int64 {
	req, _ := http.NewRequestWithContext(ctx, "GET", l.base+"/metrics", nil)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f)
		}
	}
	return 0
}

// do sends one request and, inside the measured window, records it.
func (l *loader) do(ctx context.Context, rec *recorder, kind, method, path string, body []byte, out any, extra ...string) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+l.o.Token)
	if l.session != nil {
		req.AddCookie(l.session)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	t0 := time.Now()
	resp, err := l.client.Do(req)
	status := 0
	if err == nil {
		status = resp.StatusCode
		if out != nil && status/100 == 2 {
			err = json.NewDecoder(resp.Body).Decode(out)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	d := time.Since(t0)
	if rec != nil && t0.After(l.warm) && !t0.After(l.end) {
		kinds := append([]string{kind}, extra...)
		for _, k := range kinds {
			if err != nil || status/100 != 2 {
				if rec.errors[k] == nil {
					rec.errors[k] = map[int]int{}
				}
				rec.errors[k][status]++
			} else {
				rec.lat[k] = append(rec.lat[k], d)
			}
		}
		if !strings.Contains(kind, "page ") {
			l.count.Add(1)
		}
	}
	if err == nil && status/100 != 2 {
		err = fmt.Errorf("%s %s: HTTP %d", method, path, status)
	}
	return status, err
}

type idItem struct {
	ID           int64 `json:"id"`
	MessageCount int   `json:"message_count"`
}

type page struct {
	Items      []idItem `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// prepare finds the teams, the list's team and the tickets to read.
func (l *loader) prepare(ctx context.Context) error {
	var teams page
	if _, err := l.do(ctx, nil, "", "GET", "/api/v1/teams", nil, &teams); err != nil {
		return fmt.Errorf("bench load: list teams (is the token right?): %w", err)
	}
	for _, t := range teams.Items {
		l.teams = append(l.teams, t.ID)
	}
	slices.Sort(l.teams)
	l.team = l.o.TeamID
	if l.team == 0 && len(l.teams) > 0 {
		l.team = l.teams[0]
	}
	if l.o.Scenario == "pages" {
		if err := l.signIn(ctx); err != nil {
			return err
		}
	}
	if (l.o.Scenario == "read" || l.o.Scenario == "mixed" || l.o.Scenario == "pages") && len(l.ids) == 0 {
		// Long threads: walk the closed tickets for ones with 15+ messages.
		cursor := ""
		for p := 0; p < 300 && len(l.ids) < 50; p++ {
			var pg page
			if _, err := l.do(ctx, nil, "", "GET", "/api/v1/tickets?status=closed&limit=100&cursor="+url.QueryEscape(cursor), nil, &pg); err != nil {
				return fmt.Errorf("bench load: find tickets to read: %w", err)
			}
			for _, it := range pg.Items {
				if it.MessageCount >= 15 {
					l.ids = append(l.ids, it.ID)
				}
			}
			if cursor = pg.NextCursor; cursor == "" {
				break
			}
		}
		if len(l.ids) == 0 {
			return errors.New("bench load: found no ticket with 15 or more messages; pass --ticket-ids")
		}
		fmt.Fprintf(l.o.Out, "reading %d tickets with long threads\n", len(l.ids))
	}
	if l.o.Scenario == "list" || l.o.Scenario == "mixed" {
		fmt.Fprintf(l.o.Out, "listing status=open team_id=%d, %d pages of 25 per chain\n", l.team, l.o.Pages)
	}
	return nil
}

// signIn posts the workspace's sign-in form and keeps the session cookie.
func (l *loader) signIn(ctx context.Context) error {
	if l.o.Email == "" || l.o.Password == "" {
		return errors.New("bench load: the pages scenario needs --email and --password (or TESSERA_PASSWORD)")
	}
	form := url.Values{"email": {l.o.Email}, "password": {l.o.Password}}
	req, err := http.NewRequestWithContext(ctx, "POST", l.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", l.base)
	resp, err := l.client.Do(req)
	if err != nil {
		return fmt.Errorf("bench load: sign in: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "tessera_session" {
			l.session = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if resp.StatusCode != http.StatusSeeOther || l.session == nil {
		return fmt.Errorf("bench load: sign in as %s: HTTP %d without a session", l.o.Email, resp.StatusCode)
	}
	return nil
}

func (l *loader) running() bool {
	return time.Now().Before(l.end) && l.count.Load() < l.o.MaxRequests
}

func (l *loader) worker(ctx context.Context, w int, rec *recorder) {
	r := rand.New(rand.NewPCG(uint64(l.o.Seed), uint64(w)))
	q := w * 7
	for l.running() && ctx.Err() == nil {
		scenario := l.o.Scenario
		if scenario == "mixed" {
			scenario = []string{"create", "read", "read", "read", "read", "list", "list", "search", "search", "search"}[r.IntN(10)]
		}
		switch scenario {
		case "create":
			_, _ = l.do(ctx, rec, "create", "POST", "/api/v1/tickets", l.createBody(r), nil)
		case "read":
			id := strconv.FormatInt(l.ids[r.IntN(len(l.ids))], 10)
			_, _ = l.do(ctx, rec, "read ticket", "GET", "/api/v1/tickets/"+id, nil, nil)
			_, _ = l.do(ctx, rec, "read messages", "GET", "/api/v1/tickets/"+id+"/messages", nil, nil)
		case "list":
			pages := l.o.Pages
			if l.o.Scenario == "mixed" {
				pages = 3
			}
			cursor := ""
			for p := 1; p <= pages && l.running(); p++ {
				extra := []string{}
				if p == 1 || p == pages {
					extra = append(extra, fmt.Sprintf("list page %d", p))
				}
				var pg page
				path := fmt.Sprintf("/api/v1/tickets?status=open&team_id=%d&limit=25", l.team)
				if cursor != "" {
					path += "&cursor=" + url.QueryEscape(cursor)
				}
				if _, err := l.do(ctx, rec, "list", "GET", path, nil, &pg, extra...); err != nil {
					break
				}
				if cursor = pg.NextCursor; cursor == "" {
					if rec.errors[shortChain] == nil {
						rec.errors[shortChain] = map[int]int{}
					}
					rec.errors[shortChain][p]++
					break
				}
			}
		case "pages":
			// An agent's day: the inbox views, then a ticket.
			view := []string{"open", "unassigned", "mine", "pending"}[r.IntN(4)]
			_, _ = l.do(ctx, rec, "ui view", "GET", "/views/"+view, nil, nil)
			id := strconv.FormatInt(l.ids[r.IntN(len(l.ids))], 10)
			_, _ = l.do(ctx, rec, "ui ticket", "GET", "/tickets/"+id, nil, nil)
		case "search":
			q++
			_, _ = l.do(ctx, rec, "search", "GET", "/api/v1/search?q="+url.QueryEscape(Queries[q%len(Queries)]), nil, nil)
		}
	}
}

// shortChain records list chains that ran out of pages (by page).
const shortChain = "list: chain ended early at page"

var createSeq atomic.Int64

// createBody is a realistic new ticket: a subject and a message in one of
// the three languages, a requester (often one seen before), a team,
// sometimes tags.
func (l *loader) createBody(r *rand.Rand) []byte {
	lang := languages[pickLanguage(r)]
	var t text
	subj := mild(r, len(lang.subjects))
	t.message(r, lang, bodyLength(r), words(firstNames[r.IntN(len(firstNames)):][:1])[0], lang.topic(r, subj, nil))
	n := createSeq.Add(1)
	email := fmt.Sprintf("load.customer.%d@example.com", r.IntN(5000))
	if n%5 == 0 {
		email = fmt.Sprintf("load.new.%d.%d@example.net", time.Now().UnixNano(), n)
	}
	req := map[string]any{
		"subject":   lang.subjects[subj],
		"body":      t.b.String(),
		"requester": map[string]any{"email": email, "name": firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]},
		"priority":  priorities[pick(r, prioWeights)],
		"channel":   []string{"email", "web", "api"}[r.IntN(3)],
	}
	if len(l.teams) > 0 {
		req["team_id"] = l.teams[r.IntN(len(l.teams))]
	}
	if k := pick(r, tagCounts); k > 0 {
		var tags []string
		for range k {
			tags = append(tags, tagNames[skewed(r, len(tagNames))])
		}
		req["tags"] = tags
	}
	b, _ := json.Marshal(req)
	return b
}

// Print writes the report as a table.
func (rep *LoadReport) Print(w io.Writer) {
	fmt.Fprintf(w, "\n%s: %d requests in %s, %.0f requests/s with %d clients\n", rep.Scenario, rep.Requests, rep.Elapsed.Round(time.Millisecond),
		float64(rep.Requests)/rep.Elapsed.Seconds(), rep.Concurrency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tcount\treq/s\tp50\tp90\tp99\tmax\terrors\t")
	var notes []string
	for _, k := range rep.Kinds {
		if k.Kind == shortChain {
			for p, n := range k.Errors {
				notes = append(notes, fmt.Sprintf("note: %d list chains ended at page %d (no more open tickets in the team)", n, p))
			}
			continue
		}
		var errs []string
		for st, n := range k.Errors {
			errs = append(errs, fmt.Sprintf("%d×%d", n, st))
		}
		slices.Sort(errs)
		e := "0"
		if len(errs) > 0 {
			e = strings.Join(errs, " ")
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t\n", k.Kind, k.Count, k.PerSecond, ms(k.P50), ms(k.P90), ms(k.P99), ms(k.Max), e)
	}
	tw.Flush()
	slices.Sort(notes)
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	if rep.PeakRSS > 0 || rep.RSS > 0 {
		fmt.Fprintf(w, "server memory: peak (VmHWM) %.1f MB, now (VmRSS) %.1f MB, highest sampled during the run %.1f MB\n",
			mb(rep.PeakRSS), mb(rep.RSS), mb(rep.MaxSampledRSS))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
func mb(n int64) float64        { return float64(n) / (1 << 20) }
