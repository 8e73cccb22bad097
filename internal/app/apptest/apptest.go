// Package apptest builds an assembled Tessera on a fresh database for tests,
// with a small cast: an admin, two agents in a team, a light agent, and a
// second team.
package apptest

import (
	"context"
	"log/slog"
	"testing"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// Fixture is an app with its cast.
type Fixture struct {
	*app.App
	Admin, Agent, Agent2, Light, TeamAgent auth.Actor
	Support, Billing                       people.Team
}

// New returns a migrated app on engine with the cast created.
func New(t testing.TB, engine store.Engine) *Fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, engine)
	a, err := app.New(ctx, db, app.Options{Migrate: true, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	f := &Fixture{App: a}
	mk := func(name string) *string { return &name }
	f.Support, err = a.People.CreateTeam(ctx, auth.System, people.TeamInput{Name: mk("Support")})
	if err != nil {
		t.Fatalf("team: %v", err)
	}
	f.Billing, err = a.People.CreateTeam(ctx, auth.System, people.TeamInput{Name: mk("Billing")})
	if err != nil {
		t.Fatalf("team: %v", err)
	}
	agent := func(email, name, role, access string, teams []int64) auth.Actor {
		ag, err := a.People.CreateAgent(ctx, auth.System, people.AgentInput{Email: &email, Name: &name, Role: &role, TicketAccess: &access, TeamIDs: &teams})
		if err != nil {
			t.Fatalf("agent %s: %v", email, err)
		}
		return people.ActorOf(ag)
	}
	f.Admin = agent("admin@example.com", "Ada Admin", auth.RoleAdmin, auth.AccessAll, nil)
	f.Agent = agent("agent@example.com", "Aldo Agent", auth.RoleAgent, auth.AccessAll, []int64{f.Support.ID})
	f.Agent2 = agent("agent2@example.com", "Bea Agent", auth.RoleAgent, auth.AccessAll, []int64{f.Support.ID})
	f.Light = agent("light@example.com", "Lia Light", auth.RoleLight, auth.AccessAll, []int64{f.Support.ID})
	f.TeamAgent = agent("billing@example.com", "Bill Billing", auth.RoleAgent, auth.AccessTeams, []int64{f.Billing.ID})
	return f
}
