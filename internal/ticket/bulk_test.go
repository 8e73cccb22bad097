package ticket_test

import (
	"errors"
	"slices"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

func ids(ts ...ticket.Ticket) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func TestBulkPartialFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.Tickets.CreateField(ctx, f.Admin, ticket.FieldDef{Key: "cause", Name: "Cause", Kind: "text", Required: true}); err != nil {
			t.Fatal(err)
		}
		a := create(t, f, f.Agent, "One", "b1@example.com", func(in *ticket.CreateInput) { in.CustomFields = map[string]any{"cause": "user"} })
		b := create(t, f, f.Agent, "Two", "b2@example.com")
		c := create(t, f, f.Agent, "Three", "b3@example.com", func(in *ticket.CreateInput) { in.CustomFields = map[string]any{"cause": "bug"} })
		solved := "solved"
		res, err := f.Tickets.Bulk(ctx, f.Agent, ticket.BulkInput{IDs: ids(a, b, c, a), Update: ticket.UpdateInput{Status: &solved}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Updated, ids(a, c)) || len(res.Failed) != 1 || res.Failed[0].ID != b.ID || res.Failed[0].Number != b.Number {
			t.Fatalf("result = %+v", res)
		}
		ve, ok := validation.As(res.Failed[0].Err)
		if !ok || ve.Fields[0].Field != "custom_fields.cause" {
			t.Errorf("failure = %v", res.Failed[0].Err)
		}
		// One event set per ticket: each changed ticket has its own status event.
		for _, tk := range []ticket.Ticket{a, c} {
			if !hasEvent(events(t, f, tk.ID), ticket.EventField, "status", "solved") {
				t.Errorf("ticket %d has no status event", tk.ID)
			}
		}
		if hasEvent(events(t, f, b.ID), ticket.EventField, "status", "solved") {
			t.Errorf("the failed ticket changed")
		}

		// Tags are added and removed, never replaced.
		res, err = f.Tickets.Bulk(ctx, f.Agent, ticket.BulkInput{IDs: ids(b), Update: ticket.UpdateInput{AddTags: []string{"VIP", "Billing"}}})
		if err != nil || len(res.Updated) != 1 {
			t.Fatalf("add tags: %+v %v", res, err)
		}
		res, err = f.Tickets.Bulk(ctx, f.Agent, ticket.BulkInput{IDs: ids(b), Update: ticket.UpdateInput{RemoveTags: []string{"vip"}}})
		if err != nil || len(res.Updated) != 1 {
			t.Fatalf("remove tags: %+v %v", res, err)
		}
		got, _ := f.Tickets.Get(ctx, f.Agent, b.ID)
		if !slices.Equal(got.Tags, []string{"billing"}) {
			t.Errorf("tags = %v", got.Tags)
		}
	})
}

func TestBulkRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		a := create(t, f, f.Agent, "One", "r1@example.com")
		b := create(t, f, f.Agent, "Two", "r2@example.com")
		high, bogus := "high", "bogus"
		many := make([]int64, ticket.MaxBulk+1)
		for i := range many {
			many[i] = int64(i + 1)
		}
		for _, c := range []struct {
			name, field string
			in          ticket.BulkInput
		}{
			{"nothing selected", "ids", ticket.BulkInput{Update: ticket.UpdateInput{Priority: &high}}},
			{"too many", "ids", ticket.BulkInput{IDs: many, Update: ticket.UpdateInput{Priority: &high}}},
			{"no change", "action", ticket.BulkInput{IDs: ids(a)}},
			{"two changes", "action", ticket.BulkInput{IDs: ids(a, b), MergeInto: a.ID, Update: ticket.UpdateInput{Priority: &high}}},
			{"bad priority", "priority", ticket.BulkInput{IDs: ids(a), Update: ticket.UpdateInput{Priority: &bogus}}},
			{"bad status", "status", ticket.BulkInput{IDs: ids(a), Update: ticket.UpdateInput{Status: &bogus}}},
			{"merge outside", "into", ticket.BulkInput{IDs: ids(a), MergeInto: b.ID}},
			{"merge alone", "into", ticket.BulkInput{IDs: ids(a), MergeInto: a.ID}},
		} {
			_, err := f.Tickets.Bulk(ctx, f.Agent, c.in)
			ve, ok := validation.As(err)
			if !ok || ve.Fields[0].Field != c.field {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		// Nothing changed.
		for _, tk := range []ticket.Ticket{a, b} {
			got, _ := f.Tickets.Get(ctx, f.Agent, tk.ID)
			if got.Priority != tk.Priority {
				t.Errorf("ticket %d changed", tk.ID)
			}
		}
	})
}

func TestBulkPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		support := f.Support.ID
		billing := f.Billing.ID
		a := create(t, f, f.Agent, "Support one", "p1@example.com", func(in *ticket.CreateInput) { in.TeamID = &support })
		b := create(t, f, f.Agent, "Billing one", "p2@example.com", func(in *ticket.CreateInput) { in.TeamID = &billing })
		urgent := "urgent"
		// A light agent may look but not change: each ticket fails, forbidden.
		res, err := f.Tickets.Bulk(ctx, f.Light, ticket.BulkInput{IDs: ids(a, b), Update: ticket.UpdateInput{Priority: &urgent}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Updated) != 0 || len(res.Failed) != 2 {
			t.Fatalf("light: %+v", res)
		}
		for _, fl := range res.Failed {
			if !errors.Is(fl.Err, auth.ErrForbidden) {
				t.Errorf("light on %d: %v", fl.ID, fl.Err)
			}
		}
		// A team-restricted agent changes their team's ticket; the other
		// does not exist for them, and its number stays unsaid.
		res, err = f.Tickets.Bulk(ctx, f.TeamAgent, ticket.BulkInput{IDs: ids(a, b), Update: ticket.UpdateInput{Priority: &urgent}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Updated, ids(b)) || len(res.Failed) != 1 || res.Failed[0].ID != a.ID || res.Failed[0].Number != 0 ||
			!errors.Is(res.Failed[0].Err, store.ErrNotFound) {
			t.Errorf("restricted: %+v", res)
		}
		if _, err := f.Tickets.Bulk(ctx, auth.Actor{Kind: auth.KindContact, ID: 1}, ticket.BulkInput{IDs: ids(a), Update: ticket.UpdateInput{Priority: &urgent}}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("contact: %v", err)
		}
	})
}

func TestBulkMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		a := create(t, f, f.Agent, "Same problem", "m1@example.com")
		b := create(t, f, f.Agent, "Same problem again", "m2@example.com")
		c := create(t, f, f.Agent, "And again", "m3@example.com")
		res, err := f.Tickets.Bulk(ctx, f.Agent, ticket.BulkInput{IDs: ids(a, b, c), MergeInto: b.ID})
		if err != nil || !slices.Equal(res.Updated, ids(a, c)) || len(res.Failed) != 0 {
			t.Fatalf("merge: %+v %v", res, err)
		}
		for _, tk := range []ticket.Ticket{a, c} {
			got, _ := f.Tickets.Get(ctx, f.Agent, tk.ID)
			if got.MergedIntoID == nil || *got.MergedIntoID != b.ID {
				t.Errorf("ticket %d merged into %v", tk.ID, got.MergedIntoID)
			}
		}
		// Merging again: the merged ones fail one by one.
		res, err = f.Tickets.Bulk(ctx, f.Agent, ticket.BulkInput{IDs: ids(a, b), MergeInto: b.ID})
		if err != nil || len(res.Failed) != 1 || !errors.Is(res.Failed[0].Err, ticket.ErrMerged) {
			t.Errorf("merge again: %+v %v", res, err)
		}
	})
}
