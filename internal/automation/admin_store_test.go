package automation_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/automation"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestMove: the arrows of the rule builder swap a rule with its
// neighbour, even among equal positions; the ends stay put; only admins
// move rules; an automation keeps its scheduled due times.
func TestMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		ctx := context.Background()
		acts := []automation.Action{{Type: automation.ActAddTags, Value: []any{"x"}}}
		var ids []int64
		for _, name := range []string{"A", "B", "C"} {
			// All at position 0: the order is by id until a move.
			ids = append(ids, rule(t, f, automation.KindTrigger, automation.Rule{Name: name, On: []string{automation.OnCreated}, Actions: acts}).ID)
		}
		order := func() string {
			list, err := f.Rules.List(ctx, automation.KindTrigger)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range list {
				names = append(names, r.Name)
			}
			return strings.Join(names, "")
		}
		steps := []struct {
			id   int64
			up   bool
			want string
		}{
			{ids[2], true, "ACB"},
			{ids[2], true, "CAB"},
			{ids[2], true, "CAB"},  // already first
			{ids[1], false, "CAB"}, // already last
			{ids[0], false, "CBA"},
		}
		for i, s := range steps {
			if err := f.Rules.Move(ctx, f.Admin, automation.KindTrigger, s.id, s.up); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if got := order(); got != s.want {
				t.Errorf("step %d: order %s, want %s", i, got, s.want)
			}
		}
		if err := f.Rules.Move(ctx, f.Agent, automation.KindTrigger, ids[0], true); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent moved a rule: %v", err)
		}
		if err := f.Rules.Move(ctx, f.Admin, automation.KindTrigger, 999999, true); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown rule: %v", err)
		}

		// An automation's due rows survive a move (an update would drop
		// the unfired ones and reschedule).
		au := rule(t, f, automation.KindAutomation, automation.Rule{Name: "Old", Actions: acts,
			Conditions: automation.Conditions{All: []automation.Condition{{Field: automation.FieldHoursSince, Value: map[string]any{"event": "created", "hours": 5}}}}})
		rule(t, f, automation.KindAutomation, automation.Rule{Name: "Older", Position: 5, Actions: acts,
			Conditions: automation.Conditions{All: []automation.Condition{{Field: automation.FieldHoursSince, Value: map[string]any{"event": "created", "hours": 9}}}}})
		tk := newTicket(t, f, "Aguardando")
		due := func() int {
			var n int
			if err := f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM automation_due WHERE automation_id = $1 AND ticket_id = $2`, au.ID, tk.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if due() != 1 {
			t.Fatalf("no due row to keep: %d", due())
		}
		if err := f.Rules.Move(ctx, f.Admin, automation.KindAutomation, au.ID, false); err != nil {
			t.Fatal(err)
		}
		if due() != 1 {
			t.Error("the move dropped the automation's due time")
		}
		list, _ := f.Rules.List(ctx, automation.KindAutomation)
		if len(list) != 2 || list[0].Name != "Older" {
			t.Errorf("automations after the move: %+v", list)
		}
	})
}
