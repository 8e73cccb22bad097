package agent_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// Reports and the dashboard for every role: admins and agents see them
// (a team-restricted agent their teams' figures), light agents are
// refused, signed-out visitors go to the sign-in page.
func TestReportsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		e.ticket("Support one", team(e.f.Support.ID))
		e.ticket("Support two", team(e.f.Support.ID))
		bill := e.ticket("Billing one", team(e.f.Billing.ID))
		solved := "solved"
		if _, err := e.f.Tickets.Update(ctx, e.f.Admin, bill.ID, ticket.UpdateInput{Status: &solved}); err != nil {
			t.Fatal(err)
		}

		for _, path := range []string{"/reports", "/dashboard"} {
			if r := e.do(nil, "GET", path, nil); r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
				t.Errorf("signed out %s: %d %s", path, r.code, r.header.Get("Location"))
			}
			if r := e.do(&e.f.Light, "GET", path, nil); r.code != http.StatusForbidden {
				t.Errorf("light agent %s: %d", path, r.code)
			}
		}

		r := e.do(&e.f.Admin, "GET", "/reports", nil)
		if r.code != 200 {
			t.Fatalf("admin reports: %d %.500s", r.code, r.body)
		}
		for _, want := range []string{`<svg class="chart"`, `<title id="vol-t">`, `<details><summary>`, `format=csv`, `class="kpi-value">3</span>`, `href="/reports" aria-current="page"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("reports page lacks %q", want)
			}
		}
		if strings.Contains(r.body, "style=") || strings.Contains(r.body, "<script>") {
			t.Error("inline style or script on the reports page")
		}
		r = e.do(&e.f.TeamAgent, "GET", "/reports", nil)
		if r.code != 200 || !strings.Contains(r.body, `class="kpi-value">1</span>`) || strings.Contains(r.body, `class="kpi-value">3</span>`) {
			t.Errorf("team agent reports are not limited to Billing: %d", r.code)
		}
		r = e.do(&e.f.Agent, "GET", "/reports?format=csv", nil)
		if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.body, "created,3\n") || !strings.Contains(r.body, "solved,1\n") {
			t.Errorf("csv: %d %s", r.code, r.body)
		}
		always := [][]string{{"00:00", "24:00"}}
		cal, err := e.f.SLA.CreateCalendar(ctx, e.f.Admin, clocks.CalendarInput{Name: "Always", TimeZone: "UTC",
			Hours: map[string][][]string{"sun": always, "mon": always, "tue": always, "wed": always, "thu": always, "fri": always, "sat": always}})
		if err != nil {
			t.Fatal(err)
		}
		r = e.do(&e.f.Agent, "GET", fmt.Sprintf("/reports?calendar_id=%d", cal.ID), nil)
		if r.code != 200 || !strings.Contains(r.body, "Business hours: ") || !strings.Contains(r.body, fmt.Sprintf(`<option value="%d" selected>Always</option>`, cal.ID)) {
			t.Errorf("business hours: %d", r.code)
		}
		r = e.do(&e.f.TeamAgent, "GET", "/reports/tickets.csv", nil)
		if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.body, "Billing one") || strings.Contains(r.body, "Support one") {
			t.Errorf("tickets csv for the Billing agent: %d %s", r.code, r.body)
		}
		if r := e.do(&e.f.Light, "GET", "/reports/tickets.csv", nil); r.code != http.StatusForbidden {
			t.Errorf("light agent tickets csv: %d", r.code)
		}
		if r := e.do(&e.f.Agent, "GET", "/reports/tickets.csv?from=x", nil); r.code != http.StatusUnprocessableEntity {
			t.Errorf("tickets csv with a bad date: %d", r.code)
		}
		r = e.do(&e.f.Agent, "GET", "/reports?from=2026-02-30&team_id=x&tag=vip", nil)
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="from-error"`) || !strings.Contains(r.body, `value="vip"`) {
			t.Errorf("bad filter: %d", r.code)
		}

		// The rating shows on the ticket and on the solving agent's record.
		if _, err := e.f.DB.Write().Exec(ctx, `INSERT INTO survey_responses (ticket_id, agent_id, rating, comment, created_at, updated_at) VALUES ($1, $2, 'good', 'Rápido', $3, $3)`,
			bill.ID, e.f.Admin.ID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		r = e.do(&e.f.Admin, "GET", fmt.Sprintf("/tickets/%d", bill.ID), nil)
		if r.code != 200 || !strings.Contains(r.body, `csat-badge csat-good`) || !strings.Contains(r.body, "Rápido") {
			t.Errorf("ticket page without its rating: %d", r.code)
		}
		r = e.do(&e.f.Admin, "GET", fmt.Sprintf("/admin/agents/%d", e.f.Admin.ID), nil)
		if r.code != 200 || !strings.Contains(r.body, "1 good, 0 bad") {
			t.Errorf("agent record without satisfaction: %d", r.code)
		}

		r = e.do(&e.f.Agent, "GET", "/dashboard", nil)
		if r.code != 200 || !strings.Contains(r.body, `id="dashboard-live" data-live`) || !strings.Contains(r.body, "Aldo Agent") {
			t.Errorf("dashboard: %d %.300s", r.code, r.body)
		}
		r = e.do(&e.f.TeamAgent, "GET", "/dashboard", nil)
		if r.code != 200 || !strings.Contains(r.body, "Billing") || strings.Contains(r.body, `<th scope="row">Support</th>`) {
			t.Errorf("team agent dashboard shows other teams: %d", r.code)
		}
	})
}
