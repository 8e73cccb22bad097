package automation

import (
	"encoding/json"
	"testing"
	"time"

	"tessera/internal/sla"
)

func cnd(field, op string, value any) Condition { return Condition{Field: field, Op: op, Value: value} }

func baseFacts() *Facts {
	return &Facts{
		Event: OnUpdated, Now: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), // a Wednesday
		Subject: "Problema com o Pagaménto da fatura", Body: "Hello, my PAYMENT failed twice. Ref: invoice 42.",
		Status: "open", StatusCategory: "open", Priority: "normal", Type: "question", Channel: "email",
		InboxID: 3, RequesterID: 7, OrganizationID: 0, TeamID: 2, AssigneeID: 0,
		ContactTier: "VIP", Language: "pt-BR", Tags: []string{"Billing", "eu"},
		CustomFields: map[string]any{"plan": "Gold", "seats": float64(25), "areas": []any{"web", "api"}},
		Changes:      map[string]FieldChange{"priority": {Old: "normal", New: "high"}, "status": {Old: "new", New: "open"}, "assignee_id": {Old: "5", New: ""}},
		TagsAdded:    []string{"eu"},
	}
}

func TestMatchConditions(t *testing.T) {
	tests := []struct {
		name string
		c    Condition
		f    func(*Facts)
		want bool
	}{
		{"subject word, accents and case folded", cnd("subject", "contains_any", []any{"pagamento", "payment"}), nil, true},
		{"subject phrase", cnd("subject", "contains_any", []any{"com o pagamento"}), nil, true},
		{"subject phrase out of order", cnd("subject", "contains_any", []any{"pagamento com"}), nil, false},
		{"subject partial word is not a word", cnd("subject", "contains_any", []any{"pag"}), nil, false},
		{"subject contains_all", cnd("subject", "contains_all", []any{"fatura", "problema"}), nil, true},
		{"subject contains_all missing one", cnd("subject", "contains_all", []any{"fatura", "refund"}), nil, false},
		{"subject contains_none", cnd("subject", "contains_none", []any{"refund", "cancel"}), nil, true},
		{"subject contains_none hit", cnd("subject", "contains_none", []any{"FATURA"}), nil, false},
		{"body latest message", cnd("body", "contains_any", []any{"payment failed"}), nil, true},
		{"hebrew with attached prefix", cnd("subject", "contains_any", []any{"תשלום"}), func(f *Facts) { f.Subject = "בעיה בתשלום החודשי" }, true},
		{"hebrew bare word", cnd("subject", "contains_any", []any{"תשלום"}), func(f *Facts) { f.Subject = "תשלום נכשל" }, true},
		{"spanish accent in the text", cnd("subject", "contains_any", []any{"pago"}), func(f *Facts) { f.Subject = "Pagó dos veces" }, true},
		{"spanish accent folded", cnd("subject", "contains_any", []any{"pagó"}), func(f *Facts) { f.Subject = "PAGO doble" }, true},
		{"subject is", cnd("subject", "is", "problema com o pagaménto da fatura"), nil, true},
		{"status is", cnd("status", "is", "open"), nil, true},
		{"status is_not", cnd("status", "is_not", "open"), nil, false},
		{"status_category in", cnd("status_category", "in", []any{"new", "open"}), nil, true},
		{"status_category not_in", cnd("status_category", "not_in", []any{"new", "open"}), nil, false},
		{"priority is case-insensitive", cnd("priority", "is", "NORMAL"), nil, true},
		{"priority greater_than low", cnd("priority", "greater_than", "low"), nil, true},
		{"priority greater_than normal", cnd("priority", "greater_than", "normal"), nil, false},
		{"priority less_than urgent", cnd("priority", "less_than", "urgent"), nil, true},
		{"priority raised", cnd("priority", "raised", nil), nil, true},
		{"priority lowered", cnd("priority", "lowered", nil), nil, false},
		{"priority lowered high to low", cnd("priority", "lowered", nil), func(f *Facts) { f.Changes["priority"] = FieldChange{"high", "low"} }, true},
		{"priority changed_to", cnd("priority", "changed_to", "high"), nil, true},
		{"priority changed_from", cnd("priority", "changed_from", "low"), nil, false},
		{"status changed", cnd("status", "changed", nil), nil, true},
		{"type changed", cnd("type", "changed", nil), nil, false},
		{"assignee changed_to unset", cnd("assignee_id", "changed_to", nil), nil, true},
		{"assignee changed_from 5", cnd("assignee_id", "changed_from", float64(5)), nil, true},
		{"assignee not_set", cnd("assignee_id", "not_set", nil), nil, true},
		{"team is 2", cnd("team_id", "is", float64(2)), nil, true},
		{"team is 2 as json number", cnd("team_id", "is", json.Number("2")), nil, true},
		{"team in", cnd("team_id", "in", []any{float64(1), float64(3)}), nil, false},
		{"organization is_set", cnd("organization_id", "is_set", nil), nil, false},
		{"inbox is", cnd("inbox_id", "is", int64(3)), nil, true},
		{"requester is_not", cnd("requester_id", "is_not", 7), nil, false},
		{"channel in", cnd("channel", "in", []any{"email", "web"}), nil, true},
		{"contact tier vip", cnd("contact_tier", "is", "vip"), nil, true},
		{"language is", cnd("language", "is", "pt-BR"), nil, true},
		{"type is", cnd("type", "is", "incident"), nil, false},
		{"tags contains_any folded", cnd("tags", "contains_any", []any{"billing"}), nil, true},
		{"tags contains_all", cnd("tags", "contains_all", []any{"billing", "vip"}), nil, false},
		{"tags contains_none", cnd("tags", "contains_none", []any{"spam"}), nil, true},
		{"tags changed_to added", cnd("tags", "changed_to", "eu"), nil, true},
		{"tags changed_from", cnd("tags", "changed_from", "eu"), nil, false},
		{"tags not_set", cnd("tags", "not_set", nil), func(f *Facts) { f.Tags = nil }, true},
		{"event is updated", cnd("event", "is", "updated"), nil, true},
		{"event is created", cnd("event", "is", "created"), nil, false},
		{"custom is", cnd("custom_fields.plan", "is", "gold"), nil, true},
		{"custom greater_than", cnd("custom_fields.seats", "greater_than", 20), nil, true},
		{"custom less_than", cnd("custom_fields.seats", "less_than", 20), nil, false},
		{"custom in multi-choice", cnd("custom_fields.areas", "in", []any{"api"}), nil, true},
		{"custom not_set missing", cnd("custom_fields.nope", "not_set", nil), nil, true},
		{"custom contains", cnd("custom_fields.plan", "contains_any", []any{"gold"}), nil, true},
		{"business hours inside (always open)", cnd("business_hours", "is", "inside"), nil, true},
		{"business hours outside on a calendar", cnd("business_hours", "is", "outside"), func(f *Facts) {
			f.Calendar = officeHours()
			f.Now = time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)
		}, true},
		{"business hours inside on a calendar", cnd("business_hours", "is", "inside"), func(f *Facts) { f.Calendar = officeHours() }, true},
		{"sla breached", cnd("sla", "is", "breached"), func(f *Facts) { f.SLABreached = true }, true},
		{"sla is_not warning", cnd("sla", "is_not", "warning"), nil, true},
		{"sla changed_to warning", cnd("sla", "changed_to", "warning"), func(f *Facts) { f.SLAEvents = []string{Warning} }, true},
		{"sla changed_to breached (only warned)", cnd("sla", "changed_to", "breached"), func(f *Facts) { f.SLAEvents = []string{Warning} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFacts()
			if tt.f != nil {
				tt.f(f)
			}
			r := Rule{Conditions: Conditions{All: []Condition{tt.c}}}
			if _, err := Compile(r); err != nil {
				t.Fatalf("compile: %v", err)
			}
			if got := Match(r, f); got != tt.want {
				t.Errorf("Match(%+v) = %v, want %v", tt.c, got, tt.want)
			}
		})
	}
}

// officeHours is Monday to Friday, 09:00–17:00 UTC.
func officeHours() *sla.Calendar {
	c := &sla.Calendar{Name: "office", Location: time.UTC}
	for d := time.Monday; d <= time.Friday; d++ {
		c.Week[d] = []sla.Interval{{Start: 9 * 60, End: 17 * 60}}
	}
	return c
}

func TestMatchAllAny(t *testing.T) {
	yes, no := cnd("status", "is", "open"), cnd("status", "is", "solved")
	tests := []struct {
		name     string
		all, any []Condition
		want     bool
	}{
		{"empty matches", nil, nil, true},
		{"all true", []Condition{yes, yes}, nil, true},
		{"all one false", []Condition{yes, no}, nil, false},
		{"any one true", nil, []Condition{no, yes}, true},
		{"any none true", nil, []Condition{no, no}, false},
		{"all true any false", []Condition{yes}, []Condition{no}, false},
		{"all true any true", []Condition{yes}, []Condition{no, yes}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(Rule{Conditions: Conditions{All: tt.all, Any: tt.any}})
			if err != nil {
				t.Fatal(err)
			}
			f := baseFacts()
			if got := p.Match(f); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
			o := p.Explain(f)
			if o.Matched != tt.want || len(o.All) != len(tt.all) || len(o.Any) != len(tt.any) {
				t.Errorf("Explain = %+v, want matched %v", o, tt.want)
			}
		})
	}
}

func TestTimeConditions(t *testing.T) {
	pendingSince := time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC) // Friday 16:00
	tests := []struct {
		name    string
		c       Condition
		cal     *sla.Calendar
		since   map[string]time.Time
		due     map[string]time.Time
		wantDue time.Time
		ok      bool
	}{
		{"72 wall hours pending", cnd("hours_since", "", map[string]any{"event": "status_pending", "hours": 72}), nil,
			map[string]time.Time{SincePending: pendingSince}, nil, pendingSince.Add(72 * time.Hour), true},
		{"3 business hours over a weekend", cnd("hours_since", "at_least", map[string]any{"event": "status_pending", "hours": 3, "business": true}), officeHours(),
			map[string]time.Time{SincePending: pendingSince}, nil, time.Date(2026, 3, 9, 11, 0, 0, 0, time.UTC), true},
		{"not pending: never", cnd("hours_since", "", map[string]any{"event": "status_pending", "hours": 1}), nil,
			map[string]time.Time{SinceCreated: pendingSince}, nil, time.Time{}, false},
		{"30 minutes unassigned", cnd("hours_since", "", map[string]any{"event": "unassigned", "minutes": 30}), nil,
			map[string]time.Time{SinceUnassigned: pendingSince}, nil, pendingSince.Add(30 * time.Minute), true},
		{"resolution due within 60 minutes", cnd("sla_due_within", "", map[string]any{"metric": "resolution", "minutes": 60}), nil,
			nil, map[string]time.Time{"resolution": pendingSince}, pendingSince.Add(-time.Hour), true},
		{"first reply not running", cnd("sla_due_within", "", map[string]any{"metric": "first_reply", "minutes": 60}), nil,
			nil, map[string]time.Time{"resolution": pendingSince}, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rule{Name: "x", Conditions: Conditions{All: []Condition{tt.c, cnd("priority", "is", "normal")}},
				Actions: []Action{{Type: ActSetStatus, Value: "closed"}}}
			if err := Validate(r, KindAutomation); err != nil {
				t.Fatalf("validate: %v", err)
			}
			p, err := Compile(r)
			if err != nil {
				t.Fatal(err)
			}
			f := baseFacts()
			f.Calendar, f.Since, f.SLADue = tt.cal, tt.since, tt.due
			at, ok := p.DueAt(f)
			if ok != tt.ok || !at.Equal(tt.wantDue) {
				t.Fatalf("DueAt = %v, %v; want %v, %v", at, ok, tt.wantDue, tt.ok)
			}
			if !ok {
				f.Now = pendingSince.Add(1000 * time.Hour)
				if p.Match(f) {
					t.Error("matched a time condition that cannot hold")
				}
				return
			}
			f.Now = at.Add(-time.Second)
			if p.Match(f) {
				t.Error("matched a second before its due time")
			}
			f.Now = at
			if !p.Match(f) {
				t.Error("did not match at its due time")
			}
		})
	}
}

func TestRender(t *testing.T) {
	vars := map[string]string{"ticket.number": "1042", "requester.first_name": "Ana"}
	got := Render("Olá {{requester.first_name}}, ticket #{{ ticket.number }} {{assignee.name}}{{other.thing}}", vars)
	if want := "Olá Ana, ticket #1042 {{other.thing}}"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

func TestRuleChanges(t *testing.T) {
	act := func(typ string, v any) Rule { return Rule{Actions: []Action{{Type: typ, Value: v}}} }
	tests := []struct {
		name string
		r    Rule
		want bool
	}{
		{"same priority", act(ActSetPriority, "NORMAL"), false},
		{"other priority", act(ActSetPriority, "low"), true},
		{"same status", act(ActSetStatus, "open"), false},
		{"other type", act(ActSetType, "incident"), true},
		{"same team", act(ActAssignTeam, float64(2)), false},
		{"other team", act(ActAssignTeam, float64(3)), true},
		{"assign when unassigned", act(ActAssignAgent, float64(5)), true},
		{"tags present", act(ActAddTags, []any{"billing", "EU"}), false},
		{"tag missing", act(ActAddTags, []any{"billing", "new"}), true},
		{"remove absent tag", act(ActRemoveTags, []any{"spam"}), false},
		{"remove present tag", act(ActRemoveTags, []any{"eu"}), true},
		{"custom field same", act(ActSetCustomField, map[string]any{"key": "plan", "value": "Gold"}), false},
		{"custom field other", act(ActSetCustomField, map[string]any{"key": "plan", "value": "Silver"}), true},
		{"side effects only", Rule{Actions: []Action{{Type: ActAddNote, Value: "x"}, {Type: ActCallWebhook, Value: float64(1)}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Changes(baseFacts()); got != tt.want {
				t.Errorf("Changes = %v, want %v", got, tt.want)
			}
		})
	}
}
