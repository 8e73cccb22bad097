package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tessera/internal/automation"
	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/webhook"
)

// untranslatedRule finds a rule builder message key shown as it is.
var untranslatedRule = regexp.MustCompile(`[>"\s]\s*(rules|admin)\.[a-z_]+(\.[a-z_]+)*\s*[<"\s]`)

// ruleWorld is a trigger, an automation and a ticket for the cases.
type ruleWorld struct {
	trigger, trigger2, automation int64
	ticket                        ticket.Ticket
}

func newRuleWorld(t *testing.T, e *adminEnv) *ruleWorld {
	t.Helper()
	ctx := context.Background()
	f := e.f
	str := func(s string) *string { return &s }
	mk := func(k automation.Kind, name string, on []string, all []automation.Condition, acts []automation.Action) int64 {
		in := automation.RuleInput{Name: str(name), Conditions: &automation.Conditions{All: all}, Actions: &acts}
		if on != nil {
			in.On = &on
		}
		r, err := f.Rules.Create(ctx, f.Admin, k, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return r.ID
	}
	w := &ruleWorld{}
	w.trigger = mk(automation.KindTrigger, "Payments", []string{"created"},
		[]automation.Condition{{Field: "subject", Op: "contains_any", Value: []string{"pagamento", "payment"}}},
		[]automation.Action{{Type: "set_priority", Value: "high"}, {Type: "assign_team", Value: f.Billing.ID}})
	w.trigger2 = mk(automation.KindTrigger, "Refunds", []string{"created", "updated"},
		[]automation.Condition{{Field: "subject", Op: "contains_any", Value: []string{"refund"}}},
		[]automation.Action{{Type: "add_tags", Value: []string{"refund"}}})
	w.automation = mk(automation.KindAutomation, "Close solved", nil,
		[]automation.Condition{{Field: "hours_since", Value: automation.SinceValue{Event: "solved", Hours: 96}}},
		[]automation.Action{{Type: "set_status", Value: "closed"}})
	tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Problema com pagamento", Body: "Meu cartão foi recusado",
		Requester: &ticket.RequesterInput{Email: "rita@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	w.ticket = tk
	return w
}

type ruleCase struct {
	method, path string
	form         url.Values
}

func ruleCases(e *adminEnv, w *ruleWorld) []ruleCase {
	tr := fmt.Sprintf("/admin/triggers/%d", w.trigger)
	au := fmt.Sprintf("/admin/automations/%d", w.automation)
	triggerForm := url.Values{"name": {"Urgent words"}, "position": {"30"}, "active": {"1"}, "on": {"created"},
		"all.0.field": {"subject"}, "all.0.op": {"contains_any"}, "all.0.text": {"urgente, fora do ar"},
		"act.0.type": {"set_priority"}, "act.0.value": {"urgent"}}
	autoForm := url.Values{"name": {"Nudge pending"}, "position": {"20"}, "active": {"1"},
		"all.0.field": {"hours_since"}, "all.0.op": {"at_least"}, "all.0.value": {"status_pending"}, "all.0.amount": {"72"}, "all.0.unit": {"hours"}, "all.0.business": {"1"},
		"act.0.type": {"add_note"}, "act.0.value": {"Pending for three business days: nudge {{requester.first_name}}."}}
	return []ruleCase{
		{"GET", "/admin/triggers", nil},
		{"GET", "/admin/triggers/new", nil},
		{"POST", "/admin/triggers", triggerForm},
		{"GET", tr, nil},
		{"POST", tr, url.Values{"name": {"Payments"}, "position": {"10"}, "active": {"1"}, "on": {"created", "updated"},
			"all.0.field": {"subject"}, "all.0.op": {"contains_any"}, "all.0.text": {"pagamento, payment, pago"},
			"act.0.type": {"set_priority"}, "act.0.value": {"high"}, "act.1.type": {"assign_team"}, "act.1.value": {fmt.Sprint(e.f.Billing.ID)}}},
		{"POST", tr + "/move", url.Values{"dir": {"down"}}},
		{"POST", tr + "/active", url.Values{"active": {"0"}}},
		{"GET", tr + "/delete", nil},
		{"POST", fmt.Sprintf("/admin/triggers/%d/delete", w.trigger2), url.Values{}},
		{"GET", "/admin/automations", nil},
		{"GET", "/admin/automations/new", nil},
		{"POST", "/admin/automations", autoForm},
		{"GET", au, nil},
		{"POST", au, url.Values{"name": {"Close solved"}, "position": {"10"}, "active": {"1"},
			"all.0.field": {"hours_since"}, "all.0.op": {"at_least"}, "all.0.value": {"solved"}, "all.0.amount": {"5"}, "all.0.unit": {"hours"},
			"act.0.type": {"set_status"}, "act.0.value": {"closed"}}},
		{"POST", au + "/active", url.Values{"active": {"0"}}},
		{"POST", au + "/move", url.Values{"dir": {"down"}}},
		{"GET", au + "/delete", nil},
	}
}

// TestRuleBuilderPermissions calls every page and post of the rule
// builder as every kind of caller: admins succeed; other agents get the
// forbidden page and change nothing; a signed-out visitor is sent to sign
// in. The dry runs, which answer with a page, are checked likewise.
func TestRuleBuilderPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		w := newRuleWorld(t, e)
		audit := func() int {
			var n int
			if err := e.f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		cases := ruleCases(e, w)
		cases = append(cases,
			ruleCase{"POST", fmt.Sprintf("/admin/triggers/%d/test", w.trigger), url.Values{"number": {fmt.Sprint(w.ticket.Number)}}},
			ruleCase{"POST", fmt.Sprintf("/admin/automations/%d/test", w.automation), url.Values{"number": {fmt.Sprint(w.ticket.Number)}}})
		for _, c := range cases {
			name := c.method + " " + c.path
			before := audit()
			for _, who := range []string{asAgent, asLight, asTeam} {
				if r := e.do(c.method, c.path, who, c.form); r.Code != http.StatusForbidden {
					t.Errorf("%s as %s: %d, want 403", name, who, r.Code)
				}
			}
			if audit() != before {
				t.Errorf("%s: a refused caller changed something", name)
			}
			if r := e.do(c.method, c.path, asNone, c.form); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
				t.Errorf("%s signed out: %d to %q, want 303 to /login", name, r.Code, r.Loc)
			}
			r := e.do(c.method, c.path, asAdmin, c.form)
			want := http.StatusOK
			if c.method == "POST" && !strings.HasSuffix(c.path, "/test") {
				want = http.StatusSeeOther
			}
			if r.Code != want {
				t.Errorf("%s as admin: %d, want %d\n%s", name, r.Code, want, excerpt(r.Body))
				continue
			}
			if m := untranslatedRule.FindString(r.Body); m != "" {
				t.Errorf("%s: untranslated message %q", name, m)
			}
			if want == http.StatusSeeOther {
				if audit() <= before {
					t.Errorf("%s as admin: nothing audited", name)
				}
				loc, _, _ := strings.Cut(r.Loc, "#")
				if next := e.do("GET", loc, asAdmin, nil); next.Code != http.StatusOK {
					t.Errorf("%s: the page after it (%s) is %d", name, r.Loc, next.Code)
				}
			}
		}
		for _, p := range []string{"/admin/triggers/99999", "/admin/automations/99999", "/admin/triggers/x", fmt.Sprintf("/admin/automations/%d", w.trigger+w.automation+100)} {
			if r := e.do("GET", p, asAdmin, nil); r.Code != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, r.Code)
			}
		}
	})
}

// TestRuleBuilderSaves: the posted rows become the model's rule, values
// typed as the API would have them.
func TestRuleBuilderSaves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		form := url.Values{"name": {"Billing words"}, "position": {"5"}, "active": {"1"}, "on": {"created", "updated"},
			"all.0.field": {"subject"}, "all.0.op": {"contains_any"}, "all.0.text": {"pagamento, cartão recusado"},
			"all.1.field": {"team_id"}, "all.1.op": {"in"}, "all.1.value": {fmt.Sprint(e.f.Support.ID), fmt.Sprint(e.f.Billing.ID)},
			"any.0.field": {"priority"}, "any.0.op": {"raised"},
			"any.1.field": {"channel"}, "any.1.op": {"is"}, "any.1.value": {"email"},
			"act.0.type": {"set_priority"}, "act.0.value": {"high"},
			"act.1.type": {"assign_team"}, "act.1.value": {fmt.Sprint(e.f.Billing.ID)},
			"act.2.type": {"add_tags"}, "act.2.value": {"billing, vip care"},
			"act.3.type": {"send_email"}, "act.3.to": {"address"}, "act.3.address": {"lead@example.com"}, "act.3.subject": {"#{{ticket.number}}"}, "act.3.body": {"See {{ticket.url}}"},
			"do": {"save"}}
		r := e.do("POST", "/admin/triggers", asAdmin, form)
		if r.Code != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.Code, excerpt(r.Body))
		}
		list, err := e.f.Rules.List(ctx, automation.KindTrigger)
		if err != nil || len(list) != 1 {
			t.Fatalf("triggers: %v %v", list, err)
		}
		got := list[0]
		if r.Loc != fmt.Sprintf("/admin/triggers/%d", got.ID) {
			t.Errorf("redirect to %q", r.Loc)
		}
		check := func(what string, v any, want string) {
			t.Helper()
			if s := fmt.Sprint(v); s != want {
				t.Errorf("%s: %s, want %s", what, s, want)
			}
		}
		check("name", got.Name, "Billing words")
		check("on", got.On, "[created updated]")
		check("all", got.Conditions.All, fmt.Sprintf("[{subject contains_any [pagamento cartão recusado]} {team_id in [%d %d]}]", e.f.Support.ID, e.f.Billing.ID))
		check("any", got.Conditions.Any, "[{priority raised <nil>} {channel is email}]")
		check("actions", got.Actions, fmt.Sprintf("[{set_priority high} {assign_team %d} {add_tags [billing vip care]} {send_email map[address:lead@example.com body:See {{ticket.url}} subject:#{{ticket.number}} to:address]}]", e.f.Billing.ID))

		// The edit page shows it again as rows.
		page := e.do("GET", r.Loc, asAdmin, nil).Body
		for _, want := range []string{`name="all.0.text" value="pagamento, cartão recusado"`, `name="any.0.op"`, `value="raised" selected`,
			fmt.Sprintf(`<option value="%d" selected>Billing</option>`, e.f.Billing.ID), `name="act.3.address" value="lead@example.com"`, `value="vip care"`} {
			if !strings.Contains(page, want) && !strings.Contains(page, strings.ReplaceAll(want, "vip care", "billing, vip care")) {
				t.Errorf("edit page lacks %s", want)
			}
		}

		// A value the builder no longer offers (an inbox since deleted)
		// is shown chosen, so saving the page again keeps it.
		name, kind, addr := "Support mail", "email", "support@acme.test"
		if _, err := e.f.Inboxes.Create(ctx, e.f.Admin, inbox.Input{Name: &name, Kind: &kind, Address: &addr}); err != nil {
			t.Fatal(err)
		}
		gone := []automation.Condition{{Field: "inbox_id", Op: "is", Value: 424242}}
		if _, err := e.f.Rules.Update(ctx, e.f.Admin, automation.KindTrigger, got.ID, automation.RuleInput{Conditions: &automation.Conditions{All: gone}}); err != nil {
			t.Fatal(err)
		}
		page = e.do("GET", r.Loc, asAdmin, nil).Body
		if !strings.Contains(page, `<option value="424242" selected>424242</option>`) {
			t.Error("the unknown inbox is not kept on the edit page")
		}

		// An automation with a time condition in minutes.
		r = e.do("POST", "/admin/automations", asAdmin, url.Values{"name": {"Unassigned"}, "position": {"1"}, "active": {"1"},
			"all.0.field": {"hours_since"}, "all.0.op": {"at_least"}, "all.0.value": {"unassigned"}, "all.0.amount": {"30"}, "all.0.unit": {"minutes"},
			"all.1.field": {"sla_due_within"}, "all.1.op": {"at_least"}, "all.1.value": {"resolution"}, "all.1.amount": {"2"}, "all.1.unit": {"hours"},
			"act.0.type": {"add_note"}, "act.0.value": {"Nobody took {{ticket.subject}} yet."}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("save automation: %d\n%s", r.Code, excerpt(r.Body))
		}
		aus, _ := e.f.Rules.List(ctx, automation.KindAutomation)
		if len(aus) != 1 {
			t.Fatalf("automations: %v", aus)
		}
		check("time conditions", aus[0].Conditions.All, "[{hours_since at_least map[event:unassigned minutes:30]} {sla_due_within at_least map[metric:resolution minutes:120]}]")
		page = e.do("GET", r.Loc, asAdmin, nil).Body
		if !strings.Contains(page, `name="all.1.amount" value="2"`) || !strings.Contains(page, `<option value="hours" selected>`) {
			t.Errorf("the automation's time condition is not shown back:\n%s", excerpt(page))
		}
	})
}

// TestRuleBuilderRows: adding, removing and changing rows posts back and
// renders again without saving anything; the operators and the value
// input follow the field.
// TestRuleBuilderWebhookAction: the "call webhook" action offers the
// desk's webhooks by address and keeps the chosen one.
func TestRuleBuilderWebhookAction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		url1, url2, events := "https://203.0.113.20/crm", "https://203.0.113.21/erp", []string{"ticket.created"}
		if _, err := e.f.Webhooks.Create(ctx, e.f.Admin, webhook.WebhookInput{URL: &url1, Events: &events}); err != nil {
			t.Fatal(err)
		}
		erp, err := e.f.Webhooks.Create(ctx, e.f.Admin, webhook.WebhookInput{URL: &url2, Events: &events})
		if err != nil {
			t.Fatal(err)
		}
		r := e.do("POST", "/admin/triggers", asAdmin, url.Values{"name": {"Tell the ERP"}, "active": {"1"}, "on": {"created"},
			"act.0.type": {"call_webhook"}, "act.0.value": {fmt.Sprint(erp.ID)}, "do": {"save"}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.Code, excerpt(r.Body))
		}
		list, err := e.f.Rules.List(ctx, automation.KindTrigger)
		if err != nil || len(list) != 1 || fmt.Sprint(list[0].Actions) != fmt.Sprintf("[{call_webhook %d}]", erp.ID) {
			t.Fatalf("saved %+v, %v", list, err)
		}
		page := e.do("GET", r.Loc, asAdmin, nil).Body
		if !strings.Contains(page, fmt.Sprintf(`<option value="%d" selected>%s</option>`, erp.ID, url2)) || !strings.Contains(page, url1) {
			t.Errorf("the webhook choice is not offered by address:\n%s", excerpt(page))
		}
	})
}

func TestRuleBuilderRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		base := url.Values{"name": {"Draft"}, "position": {"10"}, "on": {"created"},
			"all.0.field": {"subject"}, "all.0.op": {"contains_any"}, "all.0.text": {"ajuda"},
			"act.0.type": {"set_priority"}, "act.0.value": {"low"}}
		post := func(extra url.Values) string {
			t.Helper()
			v := url.Values{}
			for k, vs := range base {
				v[k] = vs
			}
			for k, vs := range extra {
				v[k] = vs
			}
			r := e.do("POST", "/admin/triggers", asAdmin, v)
			if r.Code != http.StatusOK {
				t.Fatalf("%v: %d, want 200\n%s", extra, r.Code, excerpt(r.Body))
			}
			return r.Body
		}
		body := post(url.Values{"do": {"add_all"}})
		if !strings.Contains(body, `name="all.1.field"`) || !strings.Contains(body, `name="all.0.text" value="ajuda"`) {
			t.Errorf("add condition: no second row, or the first lost its value")
		}
		body = post(url.Values{"do": {"add_any"}})
		if !strings.Contains(body, `name="any.0.field"`) {
			t.Error("add any: no row")
		}
		body = post(url.Values{"do": {"add_action"}})
		if !strings.Contains(body, `name="act.1.type"`) {
			t.Error("add action: no row")
		}
		body = post(url.Values{"do": {"remove.all.0"}})
		if strings.Contains(body, `name="all.0.field"`) {
			t.Error("remove: the row is still there")
		}
		// Field priority: its own operators and a select of priorities.
		body = post(url.Values{"do": {"refresh"}, "all.0.field": {"priority"}})
		for _, want := range []string{`<option value="raised">`, `name="all.0.value"`, `<option value="urgent">`} {
			if !strings.Contains(body, want) {
				t.Errorf("priority row lacks %s", want)
			}
		}
		if strings.Contains(body, `<option value="contains_any"`) {
			t.Error("priority row offers contains_any")
		}
		// Operator in: a multiple select.
		body = post(url.Values{"do": {"refresh"}, "all.0.field": {"channel"}, "all.0.op": {"in"}})
		if !regexp.MustCompile(`<select name="all.0.value"[^>]* multiple`).MatchString(body) {
			t.Error("channel in: no multiple select")
		}
		// Tags: a text input of tags.
		body = post(url.Values{"do": {"refresh"}, "all.0.field": {"tags"}, "all.0.op": {"contains_all"}})
		if !strings.Contains(body, `name="all.0.text"`) {
			t.Error("tags: no text input")
		}
		// Automations offer the time fields and no change operators.
		r := e.do("POST", "/admin/automations", asAdmin, url.Values{"name": {"x"}, "all.0.field": {"status"}, "all.0.op": {"changed"}, "do": {"refresh"}})
		if r.Code != http.StatusOK || strings.Contains(r.Body, `<option value="changed"`) || !strings.Contains(r.Body, `<option value="hours_since"`) {
			t.Errorf("automation builder: %d, change operators or no time fields\n%s", r.Code, excerpt(r.Body))
		}
		if list, _ := e.f.Rules.List(context.Background(), automation.KindTrigger); len(list) != 0 {
			t.Errorf("row changes saved a trigger: %v", list)
		}
	})
}

// TestRuleBuilderErrors: what the model refuses is shown next to its row
// (by the model's path), the form keeps what was typed, and nothing is
// saved.
func TestRuleBuilderErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		r := e.do("POST", "/admin/triggers", asAdmin, url.Values{"name": {"Broken"}, "position": {"10"}, "on": {"created"},
			"all.0.field": {"subject"}, "all.0.op": {"contains_any"}, "all.0.text": {"fine"},
			"all.1.field": {"subject"}, "all.1.op": {"contains_any"}, "all.1.text": {" , "},
			"act.0.type": {"send_email"}, "act.0.to": {"address"}, "act.0.address": {"not an address"}, "act.0.subject": {"Hi {{ticket.nope}}"}, "act.0.body": {"b"},
			"do": {"save"}})
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("save: %d, want 422\n%s", r.Code, excerpt(r.Body))
		}
		row := func(id string) string {
			i := strings.Index(r.Body, `id="`+id+`"`)
			if i < 0 {
				t.Fatalf("no row %s", id)
			}
			rest := r.Body[i:]
			if j := strings.Index(rest[1:], `<div class="rule-row`); j >= 0 {
				rest = rest[:j+1]
			}
			return rest
		}
		if strings.Contains(row("all-0"), `class="error"`) {
			t.Error("the valid row shows an error")
		}
		if !strings.Contains(row("all-1"), `class="error"`) {
			t.Errorf("the empty word list shows no error:\n%s", row("all-1"))
		}
		act := row("act-0")
		if !strings.Contains(act, "address: must be an email address") || !strings.Contains(act, "unknown placeholder") {
			t.Errorf("the email action's errors are not under it:\n%s", act)
		}
		if !strings.Contains(act, `value="not an address"`) {
			t.Error("the typed address was lost")
		}
		if list, _ := e.f.Rules.List(context.Background(), automation.KindTrigger); len(list) != 0 {
			t.Errorf("a refused rule was saved: %v", list)
		}
		// Rows past the model's limit: it says so, and the page does not
		// grow with what was posted.
		many := url.Values{"name": {"Many"}, "position": {"1"}, "on": {"created"}, "act.0.type": {"set_priority"}, "act.0.value": {"low"}}
		for i := range 500 {
			many.Set(fmt.Sprintf("all.%d.field", i), "subject")
			many.Set(fmt.Sprintf("all.%d.op", i), "contains_any")
			many.Set(fmt.Sprintf("all.%d.text", i), fmt.Sprintf("w%d", i))
		}
		r = e.do("POST", "/admin/triggers", asAdmin, many)
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "at most 50 conditions") {
			t.Errorf("500 conditions: %d", r.Code)
		}
		if n := strings.Count(r.Body, `<div class="rule-row`); n > automation.MaxConditions+1+1 {
			t.Errorf("%d rows rendered", n)
		}
		// A bad position is the form's own error.
		r = e.do("POST", "/admin/triggers", asAdmin, url.Values{"name": {"x"}, "position": {"first"}, "on": {"created"},
			"act.0.type": {"set_priority"}, "act.0.value": {"low"}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "must be a whole number") {
			t.Errorf("bad position: %d", r.Code)
		}
	})
}

// TestRuleBuilderDryRun: the test form shows which conditions hold for a
// ticket and which actions would run, and changes nothing.
func TestRuleBuilderDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		w := newRuleWorld(t, e)
		ctx := context.Background()
		before, _ := e.f.Tickets.Get(ctx, e.f.Admin, w.ticket.ID)
		var events int
		if err := e.f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1`, w.ticket.ID).Scan(&events); err != nil {
			t.Fatal(err)
		}
		defer func() {
			var n int
			_ = e.f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1`, w.ticket.ID).Scan(&n)
			if n != events {
				t.Errorf("dry runs added events: %d → %d", events, n)
			}
		}()
		path := fmt.Sprintf("/admin/triggers/%d/test", w.trigger)
		r := e.do("POST", path, asAdmin, url.Values{"number": {fmt.Sprintf("#%d", w.ticket.Number)}, "event": {"created"}})
		if r.Code != http.StatusOK {
			t.Fatalf("test: %d\n%s", r.Code, excerpt(r.Body))
		}
		for _, want := range []string{`class="rule-verdict matched"`, `<li class="matched">`, "Set priority", "Billing"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("dry run lacks %q\n%s", want, excerpt(r.Body[strings.Index(r.Body, `id="rule-test"`):]))
			}
		}
		after, _ := e.f.Tickets.Get(ctx, e.f.Admin, w.ticket.ID)
		if !after.UpdatedAt.Equal(before.UpdatedAt) || after.Priority != before.Priority {
			t.Errorf("the dry run changed the ticket: %v %s → %v %s", before.UpdatedAt, before.Priority, after.UpdatedAt, after.Priority)
		}
		// The other trigger does not match: its condition is shown as not holding.
		r = e.do("POST", fmt.Sprintf("/admin/triggers/%d/test", w.trigger2), asAdmin, url.Values{"number": {fmt.Sprint(w.ticket.Number)}})
		if !strings.Contains(r.Body, `class="rule-verdict unmatched"`) || !strings.Contains(r.Body, `<li class="unmatched">`) {
			t.Errorf("non-matching dry run:\n%s", excerpt(r.Body))
		}
		// An unknown ticket is an error on the form.
		r = e.do("POST", path, asAdmin, url.Values{"number": {"999999"}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "no ticket #999999") {
			t.Errorf("unknown ticket: %d", r.Code)
		}
	})
}

// TestRuleBuilderOrderAndActive: the arrows swap neighbours; the toggle
// switches a rule off and on.
func TestRuleBuilderOrderAndActive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		w := newRuleWorld(t, e)
		ctx := context.Background()
		order := func() string {
			list, err := e.f.Rules.List(ctx, automation.KindTrigger)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range list {
				names = append(names, r.Name)
			}
			return strings.Join(names, ",")
		}
		if got := order(); got != "Payments,Refunds" {
			t.Fatalf("initial order %s", got)
		}
		e.do("POST", fmt.Sprintf("/admin/triggers/%d/move", w.trigger2), asAdmin, url.Values{"dir": {"up"}})
		if got := order(); got != "Refunds,Payments" {
			t.Errorf("after moving Refunds up: %s", got)
		}
		e.do("POST", fmt.Sprintf("/admin/triggers/%d/move", w.trigger2), asAdmin, url.Values{"dir": {"up"}})
		if got := order(); got != "Refunds,Payments" {
			t.Errorf("moving the first up changed the order: %s", got)
		}
		e.do("POST", fmt.Sprintf("/admin/triggers/%d/move", w.trigger2), asAdmin, url.Values{"dir": {"down"}})
		if got := order(); got != "Payments,Refunds" {
			t.Errorf("after moving Refunds down: %s", got)
		}
		e.do("POST", fmt.Sprintf("/admin/triggers/%d/active", w.trigger), asAdmin, url.Values{"active": {"0"}})
		if r, _ := e.f.Rules.Get(ctx, automation.KindTrigger, w.trigger); r.Active {
			t.Error("not deactivated")
		}
		list := e.do("GET", "/admin/triggers", asAdmin, nil).Body
		if !strings.Contains(list, fmt.Sprintf(`<tr id="rule-%d" class="inactive">`, w.trigger)) {
			t.Error("the list does not show the rule inactive")
		}
		e.do("POST", fmt.Sprintf("/admin/triggers/%d/active", w.trigger), asAdmin, url.Values{"active": {"1"}})
		if r, _ := e.f.Rules.Get(ctx, automation.KindTrigger, w.trigger); !r.Active {
			t.Error("not reactivated")
		}
	})
}
