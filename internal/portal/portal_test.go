package portal_test

import (
	"context"
	"errors"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/portal"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, e)
		st, err := f.Portal.Get(ctx)
		if err != nil || st != (portal.Settings{}) {
			t.Fatalf("defaults = %+v %v", st, err)
		}
		if _, err := f.Portal.Show(ctx, f.Agent); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent read settings: %v", err)
		}
		yes, no := true, false
		if _, err := f.Portal.Update(ctx, f.Agent, portal.Input{AllowPriority: &yes}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent changed settings: %v", err)
		}
		st, err = f.Portal.Update(ctx, f.Admin, portal.Input{AllowPriority: &yes, ShareOrganization: &yes})
		if err != nil || !st.AllowPriority || !st.ShareOrganization || st.AllowPassword {
			t.Fatalf("after update = %+v %v", st, err)
		}
		st, err = f.Portal.Update(ctx, f.Admin, portal.Input{AllowPriority: &no, AllowPassword: &yes})
		if err != nil || st.AllowPriority || !st.ShareOrganization || !st.AllowPassword {
			t.Fatalf("partial update = %+v %v", st, err)
		}
		var n int
		if err := f.DB.Read().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'settings.update'`).Scan(&n); err != nil || n != 4 {
			t.Errorf("audit rows = %d %v", n, err)
		}
		org := int64(7)
		c := people.Contact{ID: 3, Name: "Ana", Email: "ana@acme.example", OrganizationID: &org}
		if a := st.Actor(c); a.Kind != auth.KindContact || a.ID != 3 || a.OrgID != 7 {
			t.Errorf("shared actor = %+v", a)
		}
		if a := (portal.Settings{}).Actor(c); a.OrgID != 0 {
			t.Errorf("unshared actor = %+v", a)
		}
	})
}
