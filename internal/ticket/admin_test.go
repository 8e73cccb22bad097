package ticket_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

func ptr[T any](v T) *T { return &v }

func fieldOf(err error) string {
	if ve, ok := validation.As(err); ok {
		return ve.Fields[0].Field
	}
	return fmt.Sprintf("not a validation error: %v", err)
}

func TestUpdateStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.Tickets.CreateStatus(ctx, f.Admin, ticket.Status{Key: "waiting_vendor", Name: "Waiting on vendor", Category: "on_hold", Position: 35}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.UpdateStatus(ctx, f.Agent, "waiting_vendor", ticket.StatusChange{Name: ptr("X")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent changed a status: %v", err)
		}
		st, err := f.Tickets.UpdateStatus(ctx, f.Admin, "waiting_vendor", ticket.StatusChange{Name: ptr(" Vendor "), Position: ptr(31)})
		if err != nil || st.Name != "Vendor" || st.Position != 31 || st.Category != "on_hold" || !st.Active {
			t.Errorf("rename: %+v %v", st, err)
		}
		tk := create(t, f, f.Agent, "Vendor issue", "v@x.test")
		wv := "waiting_vendor"
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Status: &wv}); err != nil {
			t.Fatal(err)
		}
		if st, err = f.Tickets.UpdateStatus(ctx, f.Admin, "waiting_vendor", ticket.StatusChange{Active: ptr(false)}); err != nil || st.Active {
			t.Fatalf("deactivate: %+v %v", st, err)
		}
		// The ticket keeps it; nobody can choose it any more.
		got, _ := f.Tickets.Get(ctx, f.Agent, tk.ID)
		if got.Status != "waiting_vendor" {
			t.Errorf("ticket status = %s", got.Status)
		}
		other := create(t, f, f.Agent, "Other", "o@x.test")
		if _, err := f.Tickets.Update(ctx, f.Agent, other.ID, ticket.UpdateInput{Status: &wv}); fieldOf(err) != "status" {
			t.Errorf("inactive status chosen: %v", err)
		}
		if _, err := f.Tickets.UpdateStatus(ctx, f.Admin, "solved", ticket.StatusChange{Active: ptr(false)}); fieldOf(err) != "active" {
			t.Errorf("built-in deactivated: %v", err)
		}
		if st, err := f.Tickets.UpdateStatus(ctx, f.Admin, "solved", ticket.StatusChange{Name: ptr("Resolved")}); err != nil || st.Name != "Resolved" || !st.Builtin {
			t.Errorf("rename built-in: %+v %v", st, err)
		}
		if _, err := f.Tickets.UpdateStatus(ctx, f.Admin, "open", ticket.StatusChange{Name: ptr(" ")}); fieldOf(err) != "name" {
			t.Errorf("blank name: %v", err)
		}
		if _, err := f.Tickets.UpdateStatus(ctx, f.Admin, "nope", ticket.StatusChange{Name: ptr("X")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown status: %v", err)
		}
		if n := auditCount(t, f, "status.update"); n != 3 {
			t.Errorf("audit rows = %d", n)
		}
	})
}

func auditCount(t *testing.T, f *apptest.Fixture, action string) int {
	t.Helper()
	var n int
	if err := f.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = $1", action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpdateField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		plan, err := f.Tickets.CreateField(ctx, f.Admin, ticket.FieldDef{Key: "plan", Name: "Plan", Kind: "dropdown", Options: []string{"free", "pro"}})
		if err != nil {
			t.Fatal(err)
		}
		seats, err := f.Tickets.CreateField(ctx, f.Admin, ticket.FieldDef{Key: "seats", Name: "Seats", Kind: "number"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.UpdateField(ctx, f.Light, plan.ID, ticket.FieldChange{Required: ptr(true)}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("light agent changed a field: %v", err)
		}
		got, err := f.Tickets.UpdateField(ctx, f.Admin, plan.ID, ticket.FieldChange{Name: ptr("Plano"), Options: &[]string{"free", "pro", "enterprise"}, Required: ptr(true), Position: ptr(3)})
		if err != nil || got.Name != "Plano" || len(got.Options) != 3 || !got.Required || got.Position != 3 || got.Kind != "dropdown" {
			t.Errorf("update: %+v %v", got, err)
		}
		tk := create(t, f, f.Agent, "Upgrade", "u@x.test")
		solved := "solved"
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Status: &solved}); fieldOf(err) != "custom_fields.plan" {
			t.Errorf("required field not enforced: %v", err)
		}
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{CustomFields: map[string]any{"plan": "enterprise"}}); err != nil {
			t.Errorf("new option refused: %v", err)
		}
		// A deactivated field is no longer required.
		if _, err := f.Tickets.UpdateField(ctx, f.Admin, plan.ID, ticket.FieldChange{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		tk2 := create(t, f, f.Agent, "Other", "o@x.test")
		if _, err := f.Tickets.Update(ctx, f.Agent, tk2.ID, ticket.UpdateInput{Status: &solved}); err != nil {
			t.Errorf("inactive field still required: %v", err)
		}
		for field, in := range map[string]ticket.FieldChange{
			"name":     {Name: ptr("")},
			"options":  {Options: &[]string{"a", "a"}},
			"position": {Position: ptr(-1)},
		} {
			if _, err := f.Tickets.UpdateField(ctx, f.Admin, plan.ID, in); fieldOf(err) != field {
				t.Errorf("bad %s: %v", field, err)
			}
		}
		// The portal flag: the field is shown on the web form, then hidden.
		if got, err := f.Tickets.UpdateField(ctx, f.Admin, seats.ID, ticket.FieldChange{Portal: ptr(true)}); err != nil || !got.Portal {
			t.Errorf("portal on: %+v %v", got, err)
		}
		if got, err := f.Tickets.GetField(ctx, seats.ID); err != nil || !got.Portal || got.Name != "Seats" {
			t.Errorf("portal flag not stored: %+v %v", got, err)
		}
		if got, err := f.Tickets.UpdateField(ctx, f.Admin, seats.ID, ticket.FieldChange{Portal: ptr(false)}); err != nil || got.Portal {
			t.Errorf("portal off: %+v %v", got, err)
		}
		if _, err := f.Tickets.UpdateField(ctx, f.Admin, seats.ID, ticket.FieldChange{Options: &[]string{"x"}}); fieldOf(err) != "options" {
			t.Errorf("options on a number: %v", err)
		}
		if _, err := f.Tickets.UpdateField(ctx, f.Admin, 99999, ticket.FieldChange{Name: ptr("X")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown field: %v", err)
		}
		if n := auditCount(t, f, "custom_field.update"); n != 4 {
			t.Errorf("audit rows = %d", n)
		}
	})
}

func TestTagCountsRenameDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		var ids []int64
		for i := range 5 {
			tags := []string{"vpn"}
			if i%2 == 0 {
				tags = append(tags, "network")
			}
			if i == 4 {
				tags = []string{"billing"}
			}
			ids = append(ids, create(t, f, f.Agent, fmt.Sprint("T", i), "t@x.test", func(in *ticket.CreateInput) { in.Tags = tags }).ID)
		}
		counts, err := f.Tickets.TagCounts(ctx, "", "", 10, 3)
		if err != nil {
			t.Fatal(err)
		}
		want := []ticket.TagCount{{Name: "billing", Count: 1}, {Name: "network", Count: 2}, {Name: "vpn", Count: 3, Capped: true}}
		if !slices.Equal(counts, want) {
			t.Errorf("counts = %+v", counts)
		}
		if counts, _ := f.Tickets.TagCounts(ctx, "n", "", 10, 100); len(counts) != 1 || counts[0].Name != "network" {
			t.Errorf("prefix: %+v", counts)
		}
		if counts, _ := f.Tickets.TagCounts(ctx, "", "billing", 1, 100); len(counts) != 1 || counts[0].Name != "network" {
			t.Errorf("page after billing: %+v", counts)
		}

		if tc, err := f.Tickets.CountTag(ctx, "vpn", 2); err != nil || tc != (ticket.TagCount{Name: "vpn", Count: 2, Capped: true}) {
			t.Errorf("count vpn: %+v %v", tc, err)
		}
		if _, err := f.Tickets.CountTag(ctx, "nope", 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("count unknown tag: %v", err)
		}
		if _, err := f.Tickets.RenameTag(ctx, f.Agent, "vpn", "x"); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent renamed a tag: %v", err)
		}
		for _, c := range []struct{ from, to, field string }{{"vpn", "", "to"}, {"vpn", "VPN", "to"}, {"vpn", "a,b", "to"}, {"", "x", "from"}} {
			if _, err := f.Tickets.RenameTag(ctx, f.Admin, c.from, c.to); fieldOf(err) != c.field {
				t.Errorf("rename %q to %q: %v", c.from, c.to, err)
			}
		}
		if _, err := f.Tickets.RenameTag(ctx, f.Admin, "nope", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown tag: %v", err)
		}
		// vpn merges into network: tickets with both keep one.
		n, err := f.Tickets.RenameTag(ctx, f.Admin, "VPN", "Network")
		if err != nil || n != 4 {
			t.Fatalf("rename: %d %v", n, err)
		}
		for i, id := range ids {
			tk, _ := f.Tickets.Get(ctx, f.Admin, id)
			want := []string{"network"}
			if i == 4 {
				want = []string{"billing"}
			}
			if !slices.Equal(tk.Tags, want) {
				t.Errorf("ticket %d tags %v", i, tk.Tags)
			}
		}
		ev := events(t, f, ids[1])
		if !hasEvent(ev, "field_changed", "tags", "network") || !slices.ContainsFunc(ev, func(e ticket.Event) bool {
			return e.Field == "tags" && e.OldValue == "vpn" && e.ActorID != nil && *e.ActorID == f.Admin.ID
		}) {
			t.Errorf("rename events of ticket 1: %+v", ev)
		}
		if ev := events(t, f, ids[0]); hasEvent(ev[1:], "field_changed", "tags", "network") {
			t.Errorf("ticket that had both tags got network again: %+v", ev)
		}
		counts, _ = f.Tickets.TagCounts(ctx, "", "", 10, 100)
		if !slices.Equal(counts, []ticket.TagCount{{Name: "billing", Count: 1}, {Name: "network", Count: 4}}) {
			t.Errorf("after rename: %+v", counts)
		}
		if _, err := f.Tickets.DeleteTag(ctx, f.Admin, "network"); err != nil {
			t.Fatal(err)
		}
		counts, _ = f.Tickets.TagCounts(ctx, "", "", 10, 100)
		if !slices.Equal(counts, []ticket.TagCount{{Name: "billing", Count: 1}}) {
			t.Errorf("after delete: %+v", counts)
		}
		if ev := events(t, f, ids[2]); !slices.ContainsFunc(ev, func(e ticket.Event) bool { return e.Field == "tags" && e.OldValue == "network" && e.NewValue == "" }) {
			t.Errorf("delete event missing: %+v", ev)
		}
		if auditCount(t, f, "tag.rename") != 1 || auditCount(t, f, "tag.delete") != 1 {
			t.Error("tag changes not audited")
		}
	})
}

// TestRetagBatches: a tag on more tickets than a batch is changed a batch
// at a time, closed tickets included, and the tag disappears at the end.
func TestRetagBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		for i := range 7 {
			tk := create(t, f, f.Agent, fmt.Sprint("B", i), "b@x.test", func(in *ticket.CreateInput) { in.Tags = []string{"old"} })
			if i == 0 {
				for _, st := range []string{"solved", "closed"} {
					if _, err := f.Tickets.Update(ctx, auth.System, tk.ID, ticket.UpdateInput{Status: &st}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		r := ticket.Retag{From: "old", To: "new", ActorID: f.Admin.ID}
		for _, want := range []int{3, 3, 1} {
			n, err := f.Tickets.RetagBatch(ctx, r, 3)
			if err != nil || n != want {
				t.Fatalf("batch: %d %v, want %d", n, err, want)
			}
		}
		counts, _ := f.Tickets.TagCounts(ctx, "", "", 10, 100)
		if !slices.Equal(counts, []ticket.TagCount{{Name: "new", Count: 7}}) {
			t.Errorf("after batches: %+v", counts)
		}
	})
}
