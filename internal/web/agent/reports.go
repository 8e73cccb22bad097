package agent

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tessera/internal/inbox"
	"tessera/internal/report"
	"tessera/internal/sla/clocks"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// Reports at /reports (a period and filters, figures, charts drawn on the
// server as SVG, each with its table and a CSV export) and the live
// dashboard at /dashboard. The figures come from internal/report; this
// file only lays them out.

func (h *Handler) registerReports(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("GET /reports", s.Agent(h.reports))
	mux.HandleFunc("GET /dashboard", s.Agent(h.dashboard))
	mux.HandleFunc("GET /reports/tickets.csv", s.Agent(h.reportTickets))
}

// bar is one rectangle of a chart, in the SVG's user units.
type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// tick is an axis label.
type tick struct {
	X, Y  float64
	Label string
}

// chart is a bar chart ready to draw.
type chart struct {
	W, H  float64
	Base  float64 // the y of the baseline
	Bars  []bar
	Ticks []tick
	Max   int
}

// heatCell is one hour of one weekday.
type heatCell struct {
	X, Y  float64
	Level int
	N     int
	Title string
}

type reportsPage struct {
	Filter     url.Values
	Errors     map[string]string
	Sum        report.Summary
	Volume     chart
	Heat       []heatCell
	HeatRows   []tick
	HeatCols   []tick
	HeatMax    int
	Weekdays   []string
	Hours      []int
	CSVURL     string
	TicketsURL string
	Zone       string
	Dir        directory
	Channels   []string
	Prios      []string
	FirstRep   [2]string
	Resol      [2]string
	// In business minutes, when a calendar is chosen.
	FirstRepBiz, ResolBiz *[2]string
	Calendars             []clocks.Calendar
	Inboxes               []inbox.Inbox
	Empty                 bool
	AgentRows             []agentRow
	SLA                   []slaRow
	SLAPrio               []slaRow
	// Figures written out for the page.
	SLARate, OneTouch, RepliesPer, CSATScore string
}

type slaRow struct {
	report.SLAMetric
	RateText string
}

type agentRow struct {
	report.Agent
	FirstReply string
}

// Err is a filter field's error.
func (p reportsPage) Err(f string) string { return p.Errors[f] }

// scopeOf decides the viewer's reach, or answers 403.
func (h *Handler) scopeOf(w http.ResponseWriter, r *http.Request) (report.Filter, bool) {
	v := page.ViewerFrom(r.Context())
	f, err := report.Scope(v.Actor, report.Filter{})
	if err != nil {
		h.Site.Fail(w, r, err)
		return f, false
	}
	return f, true
}

func (h *Handler) reports(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	scope, ok := h.scopeOf(w, r)
	if !ok {
		return
	}
	d := h.Site.NewData(r, "")
	loc := d.Location()
	q := r.URL.Query()
	status := http.StatusOK
	p := reportsPage{Filter: q, Errors: map[string]string{}, Zone: loc.String(), Channels: ticket.Channels, Prios: ticket.Priorities}
	f, err := report.ParseFilter(q, loc, time.Now())
	if ve, ok := validation.As(err); ok {
		for _, fe := range ve.Fields {
			p.Errors[fe.Field] = fe.Detail
		}
		status = http.StatusUnprocessableEntity
		f, _ = report.ParseFilter(url.Values{}, loc, time.Now())
	} else if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	f.Teams = scope.Teams
	sum, err := h.Site.App.Reports.Summary(ctx, f)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if q.Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="report-`+sum.From+`-`+sum.To+`.csv"`)
		if err := sum.WriteCSV(w); err != nil {
			h.Log.Error("reports csv", "err", err)
		}
		return
	}
	if p.Dir, err = h.directory(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	// The form shows the period actually reported.
	if p.Filter.Get("from") == "" || status != http.StatusOK {
		p.Filter = cloneValues(q)
		if status == http.StatusOK {
			p.Filter.Set("from", sum.From)
			p.Filter.Set("to", sum.To)
		}
	}
	p.Sum = sum
	p.Empty = sum.Created == 0 && sum.Solved == 0 && sum.Backlog == 0
	csv := cloneValues(q)
	csv.Set("from", sum.From)
	csv.Set("to", sum.To)
	csv.Set("format", "csv")
	p.CSVURL = "/reports?" + csv.Encode()
	csv.Del("format")
	p.TicketsURL = "/reports/tickets.csv?" + csv.Encode()
	dur := func(m *float64) string { return minutesText(d.T, m) }
	p.FirstRep = [2]string{dur(sum.FirstReply.Median), dur(sum.FirstReply.P90)}
	if f.CalendarID != nil {
		p.FirstRepBiz = &[2]string{dur(sum.FirstReplyBusiness.Median), dur(sum.FirstReplyBusiness.P90)}
		p.ResolBiz = &[2]string{dur(sum.ResolutionBusiness.Median), dur(sum.ResolutionBusiness.P90)}
	}
	if p.Inboxes, err = h.Site.App.Inboxes.List(ctx, page.ViewerFrom(ctx).Actor); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if p.Calendars, err = h.Site.App.SLA.Calendars(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p.Resol = [2]string{dur(sum.Resolution.Median), dur(sum.Resolution.P90)}
	for _, a := range sum.Agents {
		p.AgentRows = append(p.AgentRows, agentRow{Agent: a, FirstReply: dur(a.FirstReplyMedian)})
	}
	none := d.T("reports.none")
	p.SLARate, p.OneTouch, p.RepliesPer = percent(sum.SLAAchievedRate, none), percent(sum.OneTouchRate, none), number(sum.RepliesPerTicket, none)
	p.CSATScore = none
	if sum.CSAT.Score != nil {
		p.CSATScore = number(sum.CSAT.Score, none) + "%"
	}
	for _, m := range sum.SLA {
		p.SLA = append(p.SLA, slaRow{SLAMetric: m, RateText: percent(m.Rate, none)})
	}
	for _, m := range sum.SLAByPriority {
		p.SLAPrio = append(p.SLAPrio, slaRow{SLAMetric: m, RateText: percent(m.Rate, none)})
	}
	p.Volume = volumeChart(sum.Days, d.T("reports.created"), d.T("reports.solved"))
	for i := range 7 {
		p.Weekdays = append(p.Weekdays, d.T("reports.wd."+strconv.Itoa(i)))
	}
	for hr := range 24 {
		p.Hours = append(p.Hours, hr)
	}
	p.Heat, p.HeatMax = heatmap(sum.Hours, p.Weekdays)
	for i, wd := range p.Weekdays {
		p.HeatRows = append(p.HeatRows, tick{X: 34, Y: 37 + float64(i)*26, Label: wd})
	}
	for hr := 0; hr < 24; hr += 2 {
		p.HeatCols = append(p.HeatCols, tick{X: 52 + float64(hr)*26, Y: 14, Label: strconv.Itoa(hr)})
	}
	d.Title, d.Nav = d.T("reports.title"), "reports"
	if d.Sidebar, err = h.sidebar(ctx, page.ViewerFrom(ctx), ""); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	d.Page = p
	h.Site.Render(w, status, "agent/reports", d)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// volumeChart lays out created and solved side by side for each day.
func volumeChart(days []report.Day, created, solved string) chart {
	const top, bottom, left = 10.0, 30.0, 30.0
	c := chart{W: 720, H: 220, Base: 220 - bottom}
	for _, d := range days {
		c.Max = max(c.Max, d.Created, d.Solved)
	}
	scale := 1.0
	if c.Max > 0 {
		scale = (c.H - top - bottom) / float64(c.Max)
	}
	n := max(len(days), 1)
	slot := (c.W - left) / float64(n)
	bw := slot * 0.38
	every := max(1, n/10) // about ten date labels whatever the period
	for i, d := range days {
		x := left + float64(i)*slot + slot*0.1
		hc, hs := float64(d.Created)*scale, float64(d.Solved)*scale
		c.Bars = append(c.Bars,
			bar{X: x, Y: c.H - bottom - hc, W: bw, H: hc, Class: "bar-created", Title: fmt.Sprintf("%s · %s: %d", d.Date, created, d.Created)},
			bar{X: x + bw, Y: c.H - bottom - hs, W: bw, H: hs, Class: "bar-solved", Title: fmt.Sprintf("%s · %s: %d", d.Date, solved, d.Solved)})
		if i%every == 0 {
			c.Ticks = append(c.Ticks, tick{X: x + bw, Y: c.H - bottom + 16, Label: d.Date[5:]})
		}
	}
	return c
}

// heatmap lays out 7 rows of 24 hours; the level (0-4) picks the shade.
func heatmap(hours [7][24]int, weekdays []string) ([]heatCell, int) {
	mx := 0
	for _, row := range hours {
		for _, n := range row {
			mx = max(mx, n)
		}
	}
	var out []heatCell
	for wd, row := range hours {
		for hr, n := range row {
			lvl := 0
			if n > 0 && mx > 0 {
				lvl = 1 + (n*4-1)/mx
			}
			out = append(out, heatCell{X: 40 + float64(hr)*26, Y: 20 + float64(wd)*26, Level: min(lvl, 4), N: n,
				Title: fmt.Sprintf("%s %02d:00 · %d", weekdays[wd], hr, n)})
		}
	}
	return out, mx
}

type dashboardPage struct {
	D     report.Dashboard
	Dir   directory
	Teams []dashTeam
}

type dashTeam struct {
	Name string
	N    int
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	scope, ok := h.scopeOf(w, r)
	if !ok {
		return
	}
	d := h.Site.NewData(r, "")
	scope.Loc = d.Location()
	db, err := h.Site.App.Reports.Dashboard(ctx, scope, time.Now())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p := dashboardPage{D: db}
	if p.Dir, err = h.directory(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	for _, c := range db.ByTeam {
		name := d.T("dashboard.no_team")
		if id, err := strconv.ParseInt(c.Key, 10, 64); err == nil {
			name = p.Dir.TeamName(&id)
		}
		p.Teams = append(p.Teams, dashTeam{Name: name, N: c.N})
	}
	d.Title, d.Nav = d.T("dashboard.title"), "dashboard"
	if d.Sidebar, err = h.sidebar(ctx, page.ViewerFrom(ctx), ""); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	d.Page = p
	h.Site.Render(w, http.StatusOK, "agent/dashboard", d)
}

// minutesText writes a duration in minutes the way people read it: "45
// min", "3 h 20 min", "2 d 4 h"; a dash when there is no figure.
func minutesText(t func(string, ...any) string, m *float64) string {
	if m == nil {
		return t("reports.none")
	}
	total := int(*m + 0.5)
	switch {
	case total < 60:
		return t("reports.minutes", total)
	case total < 24*60:
		return t("reports.hours_minutes", total/60, total%60)
	}
	return t("reports.days_hours", total/(24*60), total%(24*60)/60)
}

// percent writes a rate (0-1) as a percentage with at most one decimal.
func percent(r *float64, none string) string {
	if r == nil {
		return none
	}
	return strconv.FormatFloat(math.Round(*r*1000)/10, 'f', -1, 64) + "%"
}

func number(v *float64, none string) string {
	if v == nil {
		return none
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// reportTickets exports the tickets of the report's period and filters.
func (h *Handler) reportTickets(w http.ResponseWriter, r *http.Request) {
	scope, ok := h.scopeOf(w, r)
	if !ok {
		return
	}
	d := h.Site.NewData(r, "")
	f, err := report.ParseFilter(r.URL.Query(), d.Location(), time.Now())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	f.Teams = scope.Teams
	from, to := f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tickets-`+from+`-`+to+`.csv"`)
	if err := h.Site.App.Reports.TicketsCSV(r.Context(), f, w); err != nil {
		// The header is gone: the truncated file is all we can do.
		h.Log.Error("tickets csv", "err", err)
	}
}
