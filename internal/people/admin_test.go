package people_test

import (
	"errors"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/validation"
)

func TestUpdateTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.People.UpdateTeam(ctx, f.Agent, f.Support.ID, people.TeamInput{Name: ptr("X")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent changed a team: %v", err)
		}
		tm, err := f.People.UpdateTeam(ctx, f.Admin, f.Support.ID, people.TeamInput{Name: ptr(" Suporte "), Description: ptr("Primeira linha"), Tier: ptr(2),
			AgentIDs: &[]int64{f.Agent2.ID, f.Light.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if tm.Name != "Suporte" || tm.Description != "Primeira linha" || tm.Tier != 2 || len(tm.AgentIDs) != 2 {
			t.Errorf("updated team = %+v", tm)
		}
		a, _ := f.People.GetAgent(ctx, f.Agent.ID)
		if len(a.TeamIDs) != 0 {
			t.Errorf("removed member still in team: %v", a.TeamIDs)
		}
		// Members alone, name kept.
		tm, err = f.People.UpdateTeam(ctx, f.Admin, f.Support.ID, people.TeamInput{AgentIDs: &[]int64{}})
		if err != nil || tm.Name != "Suporte" || len(tm.AgentIDs) != 0 {
			t.Errorf("members only: %+v %v", tm, err)
		}
		_, err = f.People.UpdateTeam(ctx, f.Admin, f.Support.ID, people.TeamInput{Name: ptr("billing")})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "name" {
			t.Errorf("duplicate name: %v", err)
		}
		for field, in := range map[string]people.TeamInput{
			"name":      {Name: ptr("  ")},
			"tier":      {Tier: ptr(0)},
			"agent_ids": {AgentIDs: &[]int64{999999}},
		} {
			_, err := f.People.UpdateTeam(ctx, f.Admin, f.Support.ID, in)
			if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != field {
				t.Errorf("bad %s: %v", field, err)
			}
		}
		if _, err := f.People.UpdateTeam(ctx, f.Admin, 999999, people.TeamInput{Name: ptr("Nobody")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing team: %v", err)
		}
		var n int
		if err := f.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'team.update'").Scan(&n); err != nil || n != 2 {
			t.Errorf("audit rows = %d (%v)", n, err)
		}
	})
}

// TestDeactivationEndsSessions: a deactivated agent, or one whose password
// an admin reset, is signed out; changing one's own password keeps the
// session making the change and ends the agent's others.
func TestDeactivationEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		ss := &auth.Sessions{DB: f.DB}
		live := func(tok string) bool {
			_, err := ss.Lookup(ctx, tok)
			return err == nil
		}
		mk := func(id int64) string {
			tok, err := ss.Create(ctx, id, 0, "", "", "")
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		agent, light := mk(f.Agent.ID), mk(f.Light.ID)
		if _, err := f.People.UpdateAgent(ctx, auth.System, f.Agent2.ID, people.AgentInput{Password: ptr("the first password")}); err != nil {
			t.Fatal(err)
		}
		agent2, agent2Phone := mk(f.Agent2.ID), mk(f.Agent2.ID)
		if _, err := f.People.UpdateAgent(ctx, f.Agent2, f.Agent2.ID, people.AgentInput{Password: ptr("my own new password"),
			CurrentPassword: ptr("the first password"), KeepSession: auth.HashToken(agent2)}); err != nil {
			t.Fatal(err)
		}
		if !live(agent2) {
			t.Error("changing one's own password ended one's session")
		}
		if live(agent2Phone) {
			t.Error("changing one's own password left another of one's sessions alive")
		}
		if _, err := f.People.UpdateAgent(ctx, f.Admin, f.Agent.ID, people.AgentInput{Password: ptr("reset by the admin")}); err != nil {
			t.Fatal(err)
		}
		if live(agent) {
			t.Error("a password reset left the session alive")
		}
		if _, err := f.People.UpdateAgent(ctx, f.Admin, f.Light.ID, people.AgentInput{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if live(light) {
			t.Error("a deactivated agent is still signed in")
		}
		if !live(agent2) {
			t.Error("another agent's session ended")
		}
	})
}

// TestOwnProfile: an agent changes their own name, language, time zone,
// availability and password, but never their own email, role, access,
// teams, capacity or active flag, nor anyone else's profile; a password
// change needs the current password.
func TestOwnProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		for _, a := range []auth.Actor{f.Agent, f.Light} {
			got, err := f.People.UpdateAgent(ctx, a, a.ID, people.AgentInput{Name: ptr("New Name"), Language: ptr("he"),
				TimeZone: ptr("Asia/Jerusalem"), Availability: ptr("away")})
			if err != nil {
				t.Fatalf("%s: own profile: %v", a.Role, err)
			}
			if got.Name != "New Name" || got.Language != "he" || got.TimeZone != "Asia/Jerusalem" || got.Availability != "away" {
				t.Errorf("%s: profile not saved: %+v", a.Role, got)
			}
			for name, in := range map[string]people.AgentInput{
				"email":         {Email: ptr("me@else.test")},
				"role":          {Role: ptr(auth.RoleAdmin)},
				"ticket_access": {TicketAccess: ptr(auth.AccessAll)},
				"team_ids":      {TeamIDs: &[]int64{f.Support.ID, f.Billing.ID}},
				"capacity":      {Capacity: ptr(0)},
				"active":        {Active: ptr(true)},
				"with a name":   {Name: ptr("Sneaky"), Role: ptr(auth.RoleAdmin)},
			} {
				if _, err := f.People.UpdateAgent(ctx, a, a.ID, in); !errors.Is(err, auth.ErrForbidden) {
					t.Errorf("%s changed their own %s: %v", a.Role, name, err)
				}
			}
			if _, err := f.People.UpdateAgent(ctx, a, f.Agent2.ID, people.AgentInput{Name: ptr("Renamed")}); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("%s renamed another agent: %v", a.Role, err)
			}
		}
		after, err := f.People.GetAgent(ctx, f.Light.ID)
		if err != nil || after.Role != auth.RoleLight || after.Name != "New Name" {
			t.Errorf("light agent after refusals: %+v %v", after, err)
		}
		for _, tz := range []string{"Mars/Olympus", "Local", ""} {
			if _, err := f.People.UpdateAgent(ctx, f.Agent, f.Agent.ID, people.AgentInput{TimeZone: ptr(tz)}); fieldOf(err) != "time_zone" {
				t.Errorf("time zone %q: %v", tz, err)
			}
		}
		// Passwords: the current one is required and must be right.
		if _, err := f.People.UpdateAgent(ctx, auth.System, f.Agent.ID, people.AgentInput{Password: ptr("first password")}); err != nil {
			t.Fatal(err)
		}
		for cur, want := range map[string]string{"": "current_password", "wrong password": "current_password"} {
			if _, err := f.People.UpdateAgent(ctx, f.Agent, f.Agent.ID, people.AgentInput{Password: ptr("second password"), CurrentPassword: ptr(cur)}); fieldOf(err) != want {
				t.Errorf("current %q: %v", cur, err)
			}
		}
		_, err = f.People.UpdateAgent(ctx, f.Agent, f.Agent.ID, people.AgentInput{Password: ptr("short"), CurrentPassword: ptr("wrong")})
		if ve, ok := validation.As(err); !ok || len(ve.Fields) != 2 {
			t.Errorf("both errors at once: %v", err)
		}
		if _, err := f.People.UpdateAgent(ctx, f.Agent, f.Agent.ID, people.AgentInput{Password: ptr("second password"), CurrentPassword: ptr("first password")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.People.CheckPassword(ctx, f.Agent.Email, "second password"); err != nil {
			t.Errorf("new password: %v", err)
		}
		// An admin resetting someone else's password needs no current one.
		if _, err := f.People.UpdateAgent(ctx, f.Admin, f.Agent.ID, people.AgentInput{Password: ptr("third password")}); err != nil {
			t.Errorf("admin reset: %v", err)
		}
	})
}

func fieldOf(err error) string {
	if ve, ok := validation.As(err); ok && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

// TestLastAdmin: the last active admin can be neither demoted nor
// deactivated; with a second admin, either can.
func TestLastAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		_, err := f.People.UpdateAgent(ctx, f.Admin, f.Admin.ID, people.AgentInput{Role: ptr(auth.RoleAgent)})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "role" {
			t.Errorf("last admin demoted: %v", err)
		}
		_, err = f.People.UpdateAgent(ctx, f.Admin, f.Admin.ID, people.AgentInput{Active: ptr(false)})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "active" {
			t.Errorf("last admin deactivated: %v", err)
		}
		if _, err := f.People.UpdateAgent(ctx, f.Admin, f.Agent.ID, people.AgentInput{Role: ptr(auth.RoleAdmin)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.People.UpdateAgent(ctx, f.Admin, f.Admin.ID, people.AgentInput{Role: ptr(auth.RoleLight)}); err != nil {
			t.Errorf("demote with a second admin: %v", err)
		}
		// A deactivated admin does not count.
		if _, err := f.People.UpdateAgent(ctx, auth.System, f.Admin.ID, people.AgentInput{Role: ptr(auth.RoleAdmin), Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = f.People.UpdateAgent(ctx, auth.System, f.Agent.ID, people.AgentInput{Active: ptr(false)})
		if _, ok := validation.As(err); !ok {
			t.Errorf("the only active admin deactivated while another is inactive: %v", err)
		}
	})
}
