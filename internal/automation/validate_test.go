package automation

import (
	"encoding/json"
	"slices"
	"testing"

	"tessera/internal/validation"
)

// contractRule is the body of POST /api/v1/triggers in issue 6.
const contractRule = `{"name": "Payments", "position": 1, "active": true, "on": ["created", "updated"],
 "conditions": {"all": [{"field": "subject", "op": "contains_any", "value": ["pagamento", "payment"]}], "any": []},
 "actions": [{"type": "set_priority", "value": "high"}, {"type": "add_tags", "value": ["billing"]}, {"type": "assign_team", "value": 2}]}`

func TestValidateContract(t *testing.T) {
	var r Rule
	if err := json.Unmarshal([]byte(contractRule), &r); err != nil {
		t.Fatal(err)
	}
	if err := Validate(r, KindTrigger); err != nil {
		t.Fatalf("contract rule refused: %v", err)
	}
	if err := Validate(r, KindAutomation); err == nil {
		t.Fatal("a rule with on and no time condition passed as an automation")
	}
}

func TestValidatePaths(t *testing.T) {
	ok := []Action{{Type: ActSetPriority, Value: "high"}}
	tests := []struct {
		name  string
		kind  Kind
		r     Rule
		paths []string
	}{
		{"no name, no on", KindTrigger, Rule{Actions: ok}, []string{"name", "on"}},
		{"bad on", KindTrigger, Rule{Name: "x", On: []string{"created", "deleted", "created"}, Actions: ok}, []string{"on[1]", "on[2]"}},
		{"unknown field", KindTrigger, Rule{Name: "x", On: []string{"created"}, Actions: ok,
			Conditions: Conditions{All: []Condition{{Field: "colour", Op: "is", Value: "red"}}}}, []string{"conditions.all[0].field"}},
		{"wrong op", KindTrigger, Rule{Name: "x", On: []string{"created"}, Actions: ok,
			Conditions: Conditions{All: []Condition{{Field: "status", Op: "is"}, {Field: "status", Op: "raised"}}}}, []string{"conditions.all[0].value", "conditions.all[1].op"}},
		{"bad values", KindTrigger, Rule{Name: "x", On: []string{"updated"}, Actions: ok,
			Conditions: Conditions{Any: []Condition{
				{Field: "priority", Op: "is", Value: "critical"},
				{Field: "team_id", Op: "in", Value: []any{1.0, -2.0}},
				{Field: "subject", Op: "contains_any", Value: []any{"ok", "  !! "}},
				{Field: "assignee_id", Op: "is_set", Value: 3.0},
			}}}, []string{"conditions.any[0].value", "conditions.any[1].value", "conditions.any[2].value[1]", "conditions.any[3].value"}},
		{"time condition in a trigger", KindTrigger, Rule{Name: "x", On: []string{"updated"}, Actions: ok,
			Conditions: Conditions{All: []Condition{{Field: "hours_since", Value: map[string]any{"event": "created", "hours": 1.0}}}}},
			[]string{"conditions.all[0].field"}},
		{"automation without time", KindAutomation, Rule{Name: "x", Actions: ok,
			Conditions: Conditions{All: []Condition{{Field: "status", Op: "is", Value: "open"}}}}, []string{"conditions.all"}},
		{"automation with a change op and a bad time", KindAutomation, Rule{Name: "x", Actions: ok,
			Conditions: Conditions{All: []Condition{
				{Field: "priority", Op: "raised"},
				{Field: "hours_since", Value: map[string]any{"event": "lunch", "hours": 1.0}},
				{Field: "hours_since", Value: map[string]any{"event": "created", "hour": 1.0}},
			}, Any: []Condition{{Field: "sla_due_within", Value: map[string]any{"metric": "resolution", "minutes": 60.0}}}}},
			[]string{"conditions.all[0].op", "conditions.all[1].value.event", "conditions.all[2].value", "conditions.any[0].field", "conditions.all"}},
		{"bad actions", KindTrigger, Rule{Name: "x", On: []string{"created"}, Actions: []Action{
			{Type: "explode"},
			{Type: ActSetPriority, Value: "asap"},
			{Type: ActAssignTeam, Value: "two"},
			{Type: ActAddTags, Value: []any{}},
			{Type: ActSendEmail, Value: map[string]any{"to": "address", "subject": "Hi {{ticket.numbr}}", "body": "b"}},
			{Type: ActRoute, Value: "random"},
			{Type: ActAddNote, Value: ""},
			{Type: ActSetCustomField, Value: map[string]any{"value": 1.0}},
		}}, []string{"actions[0].type", "actions[1].value", "actions[2].value", "actions[3].value",
			"actions[4].value.address", "actions[4].value.subject", "actions[5].value", "actions[6].value", "actions[7].value.key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.r, tt.kind)
			ve, ok := validation.As(err)
			if !ok {
				t.Fatalf("Validate = %v, want a validation error", err)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
			}
			for _, p := range tt.paths {
				if !slices.Contains(got, p) {
					t.Errorf("no error on %s; got %v", p, ve.Fields)
				}
			}
			if len(got) != len(tt.paths) {
				t.Errorf("errors on %v, want exactly %v", got, tt.paths)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	r := Rule{Name: "Solved 4 days → closed", Conditions: Conditions{All: []Condition{
		{Field: "hours_since", Op: "at_least", Value: SinceValue{Event: SinceSolved, Hours: 96}},
		{Field: "status_category", Op: "is", Value: "solved"},
	}}, Actions: []Action{{Type: ActSetStatus, Value: "closed"},
		{Type: ActSendEmail, Value: EmailValue{To: ToTeam, Subject: "#{{ticket.number}} closed", Body: "{{ticket.subject}}"}},
		{Type: ActRoute}, {Type: ActCallWebhook, Value: int64(4)}}}
	if err := Validate(r, KindAutomation); err != nil {
		t.Fatal(err)
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(contractRule)
	f.Add(`{"name":"a","conditions":{"all":[{"field":"hours_since","value":{"event":"created","hours":1}}]},"actions":[{"type":"route"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var r Rule
		if json.Unmarshal([]byte(s), &r) != nil {
			return
		}
		for _, k := range []Kind{KindTrigger, KindAutomation} {
			if Validate(r, k) == nil {
				p, err := Compile(r)
				if err != nil {
					t.Fatalf("valid rule does not compile: %v", err)
				}
				p.Match(baseFacts())
				p.DueAt(baseFacts())
			}
		}
	})
}
