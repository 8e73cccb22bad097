package webhook

import (
	"fmt"
	"testing"

	"tessera/internal/ticket"
)

func TestMap(t *testing.T) {
	msg := int64(7)
	ev := func(typ, field, nv string) ticket.Event {
		e := ticket.Event{Type: typ, Field: field, NewValue: nv}
		if typ == ticket.EventReply || typ == ticket.EventNote || typ == ticket.EventCreated {
			e.MessageID = &msg
		}
		return e
	}
	cases := []struct {
		name   string
		events []ticket.Event
		solved bool
		want   string
	}{
		{"created", []ticket.Event{ev(ticket.EventCreated, "", "new"), ev(ticket.EventPriorityRule, "priority", "high")}, false, "[ticket.created@7]"},
		{"field change", []ticket.Event{ev(ticket.EventField, "priority", "high"), ev(ticket.EventField, "tags", "x")}, false, "[ticket.updated]"},
		{"assigned", []ticket.Event{ev(ticket.EventField, "assignee_id", "3"), ev(ticket.EventField, "status", "open")}, false, "[ticket.updated ticket.assigned]"},
		{"unassigned", []ticket.Event{ev(ticket.EventField, "assignee_id", "")}, false, "[ticket.updated]"},
		{"solved", []ticket.Event{ev(ticket.EventField, "status", "solved")}, true, "[ticket.updated ticket.solved]"},
		{"custom status not solved", []ticket.Event{ev(ticket.EventField, "status", "waiting")}, false, "[ticket.updated]"},
		{"reply that changes status", []ticket.Event{ev(ticket.EventReply, "", ""), ev(ticket.EventField, "status", "open")}, false, "[message.created@7 ticket.updated]"},
		{"note", []ticket.Event{ev(ticket.EventNote, "", "")}, false, "[note.created@7]"},
		{"sla", []ticket.Event{ev(ticket.EventSLAWarning, "first_reply", ""), ev(ticket.EventSLABreached, "resolution", "")}, false, "[sla.warning sla.breached]"},
		{"sla state alone", []ticket.Event{ev(ticket.EventSLA, "first_reply", "achieved")}, false, "[]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, m := range Map(c.events, c.solved) {
				s := m.Event
				if m.MessageID != nil {
					s += fmt.Sprintf("@%d", *m.MessageID)
				}
				got = append(got, s)
			}
			if fmt.Sprint(got) != c.want {
				t.Errorf("Map = %v, want %s", got, c.want)
			}
		})
	}
}
