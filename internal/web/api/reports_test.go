package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

func TestReportSummaryContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		e.newTicket("Report me", e.f.Support.ID)
		var got map[string]any
		r := e.must(http.StatusOK, "GET", "/api/v1/reports/summary?from=2000-01-01&to=2000-12-31&tz=UTC", cAdmin, nil, &got)
		for _, k := range []string{"created", "solved", "reopened", "first_reply_minutes", "resolution_minutes", "sla_achieved_rate", "csat"} {
			if _, ok := got[k]; !ok {
				t.Errorf("summary lacks %q: %s", k, r)
			}
		}
		var typed struct {
			Created    int `json:"created"`
			FirstReply struct {
				Median, P90 *float64
			} `json:"first_reply_minutes"`
			Resolution struct {
				Median, P90 *float64
			} `json:"resolution_minutes"`
			CSAT struct {
				Good, Bad int
				Score     *float64
			} `json:"csat"`
		}
		if err := json.Unmarshal(r.Body, &typed); err != nil || typed.Created != 0 {
			t.Errorf("an empty period: %v %s", err, r)
		}
		if !strings.Contains(string(r.Body), `"median":null`) || !strings.Contains(string(r.Body), `"score":null`) {
			t.Errorf("empty statistics are not null: %s", r)
		}

		// Today's ticket counts, for the team it belongs to only.
		var today struct {
			Created int `json:"created"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/reports/summary", cAgent, nil, &today)
		if today.Created != 1 {
			t.Errorf("created this week = %d, want 1", today.Created)
		}
		e.must(http.StatusOK, "GET", "/api/v1/reports/summary", cTeam, nil, &today)
		if today.Created != 0 {
			t.Errorf("the Billing agent sees Support's tickets in reports: %d", today.Created)
		}

		for _, rr := range []resp{
			e.do("GET", "/api/v1/reports/summary?format=csv", cAdmin, nil),
			e.do("GET", "/api/v1/reports/summary", cAdmin, nil, "Accept", "text/csv"),
		} {
			if rr.Code != 200 || !strings.HasPrefix(rr.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(rr.Body), "created,1\n") {
				t.Errorf("csv: %s %v", rr, rr.Header)
			}
		}

		if p := checkProblem(t, e.do("GET", "/api/v1/reports/summary?from=2026-13-01", cAdmin, nil), 422); p.Field != "from" {
			t.Errorf("field %q, want from", p.Field)
		}
		if p := checkProblem(t, e.do("GET", "/api/v1/reports/summary?from=2026-02-01&to=2026-01-01", cAdmin, nil), 422); p.Field != "to" {
			t.Errorf("field %q, want to", p.Field)
		}
		if p := checkProblem(t, e.do("GET", "/api/v1/reports/summary?inbox_id=x", cAdmin, nil), 422); p.Field != "inbox_id" {
			t.Errorf("field %q, want inbox_id", p.Field)
		}
		// The ticket came in through no inbox: an inbox's report is empty.
		var inbox struct {
			Created int `json:"created"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/reports/summary?inbox_id=1", cAdmin, nil, &inbox)
		if inbox.Created != 0 {
			t.Errorf("created through inbox 1 = %d, want 0", inbox.Created)
		}
		if p := checkProblem(t, e.do("GET", "/api/v1/reports/summary?tz=Mars/Base", cAdmin, nil), 422); p.Field != "tz" {
			t.Errorf("field %q, want tz", p.Field)
		}
	})
}
