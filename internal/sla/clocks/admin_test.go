package clocks_test

import (
	"errors"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestPreviewPolicy: one policy's due times per priority, whether or not
// it is the policy that would be chosen.
func TestPreviewPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		_, pol := setup(t, f)
		at := time.Date(2026, 12, 24, 20, 0, 0, 0, time.UTC) // Thursday 17:00 in São Paulo
		p, err := f.SLA.PreviewPolicy(ctx, pol.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 12, 28, 13, 0, 0, 0, time.UTC) // Monday 10:00: the 25th is a holiday
		if d := p.Due["normal"][sla.FirstReply]; d == nil || !d.Equal(want) {
			t.Errorf("first reply = %v, want %s", d, want)
		}
		if _, ok := p.Due["urgent"]; ok {
			t.Errorf("a priority without targets previewed: %+v", p.Due)
		}
		if _, err := f.SLA.PreviewPolicy(ctx, 99999, at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing policy: %v", err)
		}
		r, err := f.SLA.CreatePriorityRule(ctx, f.Admin, clocks.PriorityRuleInput{Name: "Down", Priority: "urgent", Keywords: []string{"fora do ar"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.SLA.GetPriorityRule(ctx, r.ID)
		if err != nil || got.Name != "Down" || got.Keywords[0] != "fora do ar" {
			t.Errorf("get rule: %+v %v", got, err)
		}
		if _, err := f.SLA.GetPriorityRule(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing rule: %v", err)
		}
	})
}
