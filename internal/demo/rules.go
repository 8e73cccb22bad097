package demo

import (
	"context"
	"fmt"
	"slices"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/automation"
)

// demoRules are the triggers and automations the demo ships (issue 6).
// They are written after the history is replayed, so they act on the
// tickets that come next and leave the ninety days as they were.
func demoRules(teams []int64) []struct {
	kind automation.Kind
	rule automation.Rule
} {
	all := func(c ...automation.Condition) automation.Conditions { return automation.Conditions{All: c} }
	type kr = struct {
		kind automation.Kind
		rule automation.Rule
	}
	return []kr{
		{automation.KindTrigger, automation.Rule{Name: "Payments go to Billing", Position: 1, On: []string{automation.OnCreated},
			Conditions: all(automation.Condition{Field: automation.FieldSubject, Op: automation.OpContainsAny,
				Value: []any{"payment", "pagamento", "pago", "תשלום"}}),
			Actions: []automation.Action{{Type: automation.ActSetPriority, Value: "high"}, {Type: automation.ActAssignTeam, Value: teams[billing]}}}},
		{automation.KindTrigger, automation.Rule{Name: "VIP customers are urgent", Position: 2, On: []string{automation.OnCreated},
			Conditions: all(automation.Condition{Field: automation.FieldContactTier, Op: automation.OpIs, Value: "vip"}),
			Actions:    []automation.Action{{Type: automation.ActSetPriority, Value: "urgent"}}}},
		{automation.KindAutomation, automation.Rule{Name: "Unassigned for 30 minutes", Position: 1,
			Conditions: all(
				automation.Condition{Field: automation.FieldHoursSince, Value: automation.SinceValue{Event: automation.SinceUnassigned, Minutes: 30}},
				automation.Condition{Field: automation.FieldStatusCategory, Op: automation.OpIn, Value: []any{"new", "open"}}),
			Actions: []automation.Action{
				{Type: automation.ActSendEmail, Value: automation.EmailValue{To: automation.ToTeam,
					Subject: "Ticket #{{ticket.number}} has waited 30 minutes for an agent",
					Body:    "{{ticket.subject}}\n\n{{requester.name}} is waiting ({{ticket.priority}} priority).\n{{ticket.url}}"}},
				{Type: automation.ActAddNote, Value: "Nobody has taken this ticket for 30 minutes; the {{team.name}} team was told by mail."},
			}}},
		{automation.KindAutomation, automation.Rule{Name: "Close solved tickets after 4 days", Position: 2,
			Conditions: all(automation.Condition{Field: automation.FieldHoursSince, Value: automation.SinceValue{Event: automation.SinceSolved, Hours: 96}}),
			Actions:    []automation.Action{{Type: automation.ActSetStatus, Value: "closed"}}}},
	}
}

// createRules writes the demo rules that are not there yet (a resumed
// load finds some).
func createRules(ctx context.Context, a *app.App, teams []int64) error {
	have := map[automation.Kind][]automation.Rule{}
	for _, k := range []automation.Kind{automation.KindTrigger, automation.KindAutomation} {
		rs, err := a.Rules.List(ctx, k)
		if err != nil {
			return fmt.Errorf("demo rules: %w", err)
		}
		have[k] = rs
	}
	for _, d := range demoRules(teams) {
		r := d.rule
		if slices.ContainsFunc(have[d.kind], func(x automation.Rule) bool { return x.Name == r.Name }) {
			continue
		}
		in := automation.RuleInput{Name: &r.Name, Position: &r.Position, Conditions: &r.Conditions, Actions: &r.Actions}
		if d.kind == automation.KindTrigger {
			in.On = &r.On
		}
		if _, err := a.Rules.Create(ctx, auth.System, d.kind, in); err != nil {
			return fmt.Errorf("demo %s %q: %w", d.kind, r.Name, err)
		}
	}
	return nil
}
