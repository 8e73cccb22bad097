package api

import (
	"net/http"
	"strings"
	"time"

	"tessera/internal/report"
	"tessera/internal/store"
)

func (s *Server) reportRoutes() []Route {
	q := []QueryParam{
		{"from", "string", "first day, YYYY-MM-DD (default: 6 days before to)"},
		{"to", "string", "last day, included, YYYY-MM-DD (default: today)"},
		{"tz", "string", "IANA time zone the days and hours are counted in (default: yours)"},
		{"team_id", "integer", "tickets of this team"},
		{"agent_id", "integer", "tickets assigned to this agent"},
		{"organization_id", "integer", "tickets of this organization"},
		{"inbox_id", "integer", "tickets that came in through this inbox"},
		{"channel", "string", "tickets that came through this channel"},
		{"priority", "string", "tickets of this priority"},
		{"tag", "string", "tickets with this tag"},
		{"calendar_id", "integer", "also count reply and resolution times in this calendar's business minutes"},
		{"format", "string", "csv for CSV (as does Accept: text/csv)"},
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/reports/summary", Access: Agent, Summary: "Every figure of a period (volumes, reply and resolution times, SLA, CSAT, agents, busiest hours), as JSON or CSV; not for light agents",
			Response: report.Summary{}, Status: 200, Query: q, h: s.reportSummary},
	}
}

// wantsCSV says whether the caller asked for CSV, by ?format=csv or Accept.
func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

func (s *Server) reportSummary(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	loc, err := s.zone(r)
	if err != nil {
		return err
	}
	f, err := report.Scope(actor, report.Filter{})
	if err != nil {
		return err
	}
	teams := f.Teams
	if f, err = report.ParseFilter(r.URL.Query(), loc, store.Now()); err != nil {
		return err
	}
	f.Teams = teams
	sum, err := s.App.Reports.Summary(r.Context(), f)
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="summary-`+sum.From+`-`+sum.To+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		return sum.WriteCSV(w)
	}
	return ok(w, http.StatusOK, sum)
}

// zone is the caller's time zone: ?tz= or the agent's profile zone.
func (s *Server) zone(r *http.Request) (*time.Location, error) {
	if tz := r.URL.Query().Get("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return nil, &Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid input", Field: "tz", Detail: "tz must be an IANA time zone"}
		}
		return l, nil
	}
	if ag, err := s.App.People.GetAgent(r.Context(), actorOf(r).ID); err == nil {
		if l, err := time.LoadLocation(ag.TimeZone); err == nil {
			return l, nil
		}
	}
	return time.UTC, nil
}

// csvResponse sets a CSV download's headers at its first write, so an
// error found before any row (a bad filter) still answers as a problem.
type csvResponse struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (c *csvResponse) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
		h.Set("Cache-Control", "no-store")
	}
	return c.w.Write(p)
}
