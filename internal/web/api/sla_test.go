package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestSLAContract drives the SLA endpoints with the documented request
// shapes and reads the clocks back on a backdated ticket.
func TestSLAContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		var cal struct {
			ID       int64                 `json:"id"`
			Hours    map[string][][]string `json:"hours"`
			Holidays []any                 `json:"holidays"`
		}
		day := [][]string{{"09:00", "18:00"}}
		e.must(http.StatusCreated, "POST", "/api/v1/calendars", cAdmin, map[string]any{
			"name": "Brasil", "time_zone": "America/Sao_Paulo",
			"hours":    map[string]any{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
			"holidays": []any{"2026-12-25", map[string]any{"month": 1, "day": 1}},
		}, &cal)
		if len(cal.Hours["mon"]) != 1 || len(cal.Holidays) != 2 || cal.Holidays[0] != "2026-12-25" {
			t.Errorf("calendar read back: %+v", cal)
		}
		var pol struct {
			ID      int64                        `json:"id"`
			Targets map[string]map[string]string `json:"targets"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/sla-policies", cAdmin, map[string]any{
			"name": "Standard", "position": 1, "calendar_id": cal.ID, "business_hours": true, "conditions": map[string]any{},
			"targets": map[string]any{
				"urgent": map[string]any{"first_reply": "30m", "next_reply": "1h", "resolution": "4h"},
				"high":   map[string]any{"first_reply": "2h", "next_reply": "4h", "resolution": "1d"},
			},
		}, &pol)
		if pol.Targets["high"]["resolution"] != "1d" || pol.Targets["urgent"]["first_reply"] != "30m" {
			t.Errorf("policy read back: %+v", pol)
		}
		r := e.do("POST", "/api/v1/sla-policies", cAdmin, map[string]any{"name": "Bad", "targets": map[string]any{"high": map[string]any{"first_reply": "soon"}}})
		if r.Code != http.StatusUnprocessableEntity {
			t.Errorf("bad duration: %s", r)
		}
		// Friday 13 November 2026 17:00 in São Paulo; 2 business hours later
		// is Monday 10:00 (13:00 UTC).
		body := map[string]any{"subject": "Old ticket", "body": "imported", "priority": "high", "requester": map[string]any{"email": "imp@x.test"},
			"created_at": "2026-11-13T20:00:00Z"}
		if r := e.do("POST", "/api/v1/tickets", cAgent, body); r.Code != http.StatusForbidden {
			t.Errorf("agent set created_at: %s", r)
		}
		var tk struct {
			CreatedAt time.Time `json:"created_at"`
			SLA       []struct {
				Metric   string     `json:"metric"`
				State    string     `json:"state"`
				DueAt    *time.Time `json:"due_at"`
				PolicyID int64      `json:"policy_id"`
			} `json:"sla"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/tickets", cAdmin, body, &tk)
		if !tk.CreatedAt.Equal(time.Date(2026, 11, 13, 20, 0, 0, 0, time.UTC)) {
			t.Errorf("created_at = %s", tk.CreatedAt)
		}
		found := false
		for _, c := range tk.SLA {
			if c.Metric == "first_reply" {
				found = true
				// Long past now: the clock is active until the SLA check
				// records the breach.
				if c.PolicyID != pol.ID || c.DueAt == nil || !c.DueAt.Equal(time.Date(2026, 11, 16, 13, 0, 0, 0, time.UTC)) {
					t.Errorf("first reply clock = %+v", c)
				}
			}
		}
		if !found {
			t.Errorf("no first reply clock in %+v", tk.SLA)
		}
		var prev struct {
			Due map[string]time.Time `json:"due"`
		}
		e.must(http.StatusOK, "POST", "/api/v1/sla-policies/preview", cAgent, map[string]any{"priority": "high", "at": "2026-12-24T20:00:00Z"}, &prev)
		if want := time.Date(2026, 12, 28, 13, 0, 0, 0, time.UTC); !prev.Due["first_reply"].Equal(want) {
			t.Errorf("preview = %+v, want first reply %s (Christmas skipped)", prev.Due, want)
		}
	})
}

// TestAssigneeEmailNull: assignee_email null unassigns, and an error about
// an assignee given by email names assignee_email.
func TestAssigneeEmailNull(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		tk := e.newTicket("Assign me", e.f.Support.ID)
		path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)
		var got struct {
			AssigneeID *int64 `json:"assignee_id"`
		}
		e.must(http.StatusOK, "PATCH", path, cAgent, map[string]any{"assignee_email": "agent2@example.com"}, &got)
		if got.AssigneeID == nil || *got.AssigneeID != e.f.Agent2.ID {
			t.Fatalf("assigned to %v", got.AssigneeID)
		}
		e.must(http.StatusOK, "PATCH", path, cAgent, map[string]any{"assignee_email": nil}, &got)
		if got.AssigneeID != nil {
			t.Errorf("still assigned to %d", *got.AssigneeID)
		}
		r := e.do("PATCH", path, cAgent, map[string]any{"assignee_email": "light@example.com"})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"assignee_email"`) {
			t.Errorf("light agent by email: %s", r)
		}
		r = e.do("PATCH", path, cAgent, map[string]any{"subject": "a\u0000b"})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"subject"`) {
			t.Errorf("NUL in subject: %s", r)
		}
		r = e.do("POST", "/api/v1/sla-policies", cAdmin, map[string]any{"name": "Bad", "targets": map[string]any{"high": map[string]any{"first_reply": "soon"}}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"targets.high.first_reply"`) {
			t.Errorf("bad duration: %s", r)
		}
	})
}
