package routing_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/routing"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

// team makes a team with the strategy and n agents of the given capacity.
func team(t *testing.T, f *apptest.Fixture, name, strategy string, tier, n, capacity int) (people.Team, []int64) {
	t.Helper()
	var ids []int64
	for i := range n {
		a, err := f.People.CreateAgent(ctx, auth.System, people.AgentInput{Email: ptr(fmt.Sprintf("%s%d@example.com", name, i)), Name: ptr(fmt.Sprintf("%s %d", name, i)),
			Role: ptr(auth.RoleAgent), Capacity: ptr(capacity)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	tm, err := f.People.CreateTeam(ctx, auth.System, people.TeamInput{Name: ptr(name), Tier: ptr(tier), RoutingStrategy: ptr(strategy), AgentIDs: &ids})
	if err != nil {
		t.Fatal(err)
	}
	return tm, ids
}

func contact(t *testing.T, f *apptest.Fixture, email, lang string) int64 {
	t.Helper()
	c, err := f.People.CreateContact(ctx, auth.System, people.ContactInput{Name: ptr("Cliente"), Email: ptr(email), Language: ptr(lang)})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func newTicket(t *testing.T, f *apptest.Fixture, requester int64, teamID *int64, tags ...string) ticket.Ticket {
	t.Helper()
	tk, err := f.Tickets.Create(ctx, f.Admin, ticket.CreateInput{Subject: "Help", Body: "Please", Requester: &ticket.RequesterInput{ID: requester}, TeamID: teamID, Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// createConcurrently files n tickets into the team from g goroutines and
// returns how many each agent got (0: unassigned).
func createConcurrently(t *testing.T, f *apptest.Fixture, teamID int64, n, g int) map[int64]int {
	t.Helper()
	requester := contact(t, f, "many@example.org", "en")
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n / g {
				_, err := f.Tickets.Create(ctx, f.Admin, ticket.CreateInput{Subject: fmt.Sprintf("Load %d-%d", w, i), Body: "b",
					Requester: &ticket.RequesterInput{ID: requester}, TeamID: &teamID})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := map[int64]int{}
	rows, err := f.DB.Read().Query(ctx, `SELECT COALESCE(assignee_id, 0), COUNT(*) FROM tickets WHERE team_id = $1 GROUP BY COALESCE(assignee_id, 0)`, teamID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a int64
		var c int
		if err := rows.Scan(&a, &c); err != nil {
			t.Fatal(err)
		}
		got[a] = c
	}
	return got
}

func TestRoundRobinUnderConcurrentCreation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tm, agents := team(t, f, "Robin", routing.RoundRobin, 1, 3, 25)
		got := createConcurrently(t, f, tm.ID, 60, 6)
		for _, a := range agents {
			if got[a] != 20 {
				t.Errorf("agent %d got %d tickets, want 20 each: %v", a, got[a], got)
			}
		}
		if got[0] != 0 {
			t.Errorf("%d tickets left unassigned", got[0])
		}
	})
}

func TestLeastLoadedUnderConcurrentCreation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tm, agents := team(t, f, "Lesser", routing.LeastLoaded, 1, 3, 0)
		// One agent starts with a head start of open tickets elsewhere.
		requester := contact(t, f, "busy@example.org", "en")
		for range 4 {
			tk := newTicket(t, f, requester, nil)
			if _, err := f.Tickets.Update(ctx, f.Admin, tk.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &agents[0]}}); err != nil {
				t.Fatal(err)
			}
		}
		got := createConcurrently(t, f, tm.ID, 60, 6)
		total := map[int64]int{agents[0]: got[agents[0]] + 4, agents[1]: got[agents[1]], agents[2]: got[agents[2]]}
		lo, hi := 1<<30, 0
		for _, a := range agents {
			lo, hi = min(lo, total[a]), max(hi, total[a])
		}
		if hi-lo > 1 || got[0] != 0 {
			t.Errorf("open tickets per agent %v (team's new ones %v): spread %d, want at most 1", total, got, hi-lo)
		}
	})
}

func TestCapacityUnderConcurrentCreation(t *testing.T) {
	for _, strategy := range []string{routing.RoundRobin, routing.LeastLoaded} {
		t.Run(strategy, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, e store.Engine) {
				f := apptest.New(t, e)
				tm, agents := team(t, f, "Small", strategy, 1, 3, 5)
				got := createConcurrently(t, f, tm.ID, 60, 6)
				for _, a := range agents {
					if got[a] != 5 {
						t.Errorf("agent %d got %d tickets, want their capacity 5: %v", a, got[a], got)
					}
				}
				if got[0] != 45 {
					t.Errorf("%d unassigned, want 45", got[0])
				}
			})
		})
	}
}

func TestEligibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tm, agents := team(t, f, "Skills", routing.RoundRobin, 1, 3, 0)
		// 0 speaks Portuguese, 1 handles billing, 2 takes anything.
		if _, err := f.People.UpdateAgent(ctx, f.Admin, agents[0], people.AgentInput{SkillLanguages: &[]string{"pt-BR"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.People.UpdateAgent(ctx, f.Admin, agents[1], people.AgentInput{SkillTags: &[]string{"Billing"}}); err != nil {
			t.Fatal(err)
		}
		pt, en := contact(t, f, "pt@example.org", "pt-BR"), contact(t, f, "en@example.org", "en")
		cases := []struct {
			requester int64
			tags      []string
			want      int64
		}{
			{pt, nil, agents[0]},
			{en, []string{"billing"}, agents[1]},
			{en, []string{"bug"}, agents[2]},
			{en, nil, agents[2]},
			{pt, nil, agents[0]},
		}
		for i, c := range cases {
			tk := newTicket(t, f, c.requester, &tm.ID, c.tags...)
			if tk.AssigneeID == nil || *tk.AssigneeID != c.want {
				t.Errorf("case %d: assignee %v, want %d", i, tk.AssigneeID, c.want)
			}
		}
		// Away agents and deactivated ones are skipped; with nobody left
		// the ticket waits unassigned.
		if _, err := f.People.UpdateAgent(ctx, people.ActorOf(mustAgent(t, f, agents[2])), agents[2], people.AgentInput{Availability: ptr("away")}); err != nil {
			t.Fatal(err)
		}
		if tk := newTicket(t, f, en, &tm.ID); tk.AssigneeID != nil {
			t.Errorf("an away agent got ticket: %d", *tk.AssigneeID)
		}
		// A manual team assigns nobody; a ticket created with an assignee keeps them.
		if tk := newTicket(t, f, en, &f.Support.ID); tk.AssigneeID != nil {
			t.Errorf("manual team assigned %d", *tk.AssigneeID)
		}
		tk, err := f.Tickets.Create(ctx, f.Admin, ticket.CreateInput{Subject: "Mine", Body: "b", Requester: &ticket.RequesterInput{ID: pt}, TeamID: &tm.ID, AssigneeID: &f.Agent.ID})
		if err != nil || tk.AssigneeID == nil || *tk.AssigneeID != f.Agent.ID {
			t.Errorf("explicit assignee: %v %v", tk.AssigneeID, err)
		}
		// Moving a ticket into the team routes it.
		moved := newTicket(t, f, pt, nil)
		moved, err = f.Tickets.Update(ctx, f.Admin, moved.ID, ticket.UpdateInput{TeamID: ticket.Optional[int64]{Set: true, Value: &tm.ID}})
		if err != nil || moved.AssigneeID == nil || *moved.AssigneeID != agents[0] {
			t.Errorf("moved ticket: assignee %v, %v", moved.AssigneeID, err)
		}
		// The assignment is the system's, recorded as an event.
		evs, _ := f.Tickets.Events(ctx, auth.System, moved.ID, 0, 100)
		// (assigning a new ticket opens it, as when an agent assigns it)
		last := evs[len(evs)-2]
		if last.Field != "assignee_id" || last.ActorKind != auth.KindSystem || last.NewValue != fmt.Sprint(agents[0]) || evs[len(evs)-1].NewValue != "open" {
			t.Errorf("events %+v", evs)
		}
	})
}

func mustAgent(t *testing.T, f *apptest.Fixture, id int64) people.Agent {
	t.Helper()
	a, err := f.People.GetAgent(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRouteIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		// Support is manual: the trigger action names the strategy.
		en := contact(t, f, "en@example.org", "en")
		tk := newTicket(t, f, en, &f.Support.ID)
		var got int64
		var ok bool
		err := f.DB.InTx(ctx, func(tx *store.Tx) error {
			if _, _, err := f.Routing.RouteIn(ctx, tx, tk.ID, ""); err != nil {
				return err
			}
			var err error
			got, ok, err = f.Routing.RouteIn(ctx, tx, tk.ID, routing.LeastLoaded)
			return err
		})
		if err != nil || !ok || (got != f.Agent.ID && got != f.Agent2.ID) {
			t.Fatalf("RouteIn = %d, %v, %v", got, ok, err)
		}
		after, _ := f.Tickets.Get(ctx, auth.System, tk.ID)
		if after.AssigneeID == nil || *after.AssigneeID != got {
			t.Errorf("assignee %v, want %d", after.AssigneeID, got)
		}
		// Already assigned: left alone. A bad strategy is refused.
		err = f.DB.InTx(ctx, func(tx *store.Tx) error {
			if _, ok, err := f.Routing.RouteIn(ctx, tx, tk.ID, routing.RoundRobin); ok || err != nil {
				return fmt.Errorf("assigned ticket re-routed: %v %v", ok, err)
			}
			_, _, err := f.Routing.RouteIn(ctx, tx, tk.ID, "random")
			return err
		})
		if _, isField := validation.As(err); !isField {
			t.Errorf("bad strategy: %v", err)
		}
	})
}

func TestEscalate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tier2, agents := team(t, f, "Tier2", routing.RoundRobin, 2, 2, 0)
		en := contact(t, f, "en@example.org", "en")
		tk := newTicket(t, f, en, &f.Support.ID)
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Agent.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.AddMessage(ctx, f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Looking into it"}); err != nil {
			t.Fatal(err)
		}
		before, _ := f.Tickets.Events(ctx, auth.System, tk.ID, 0, 100)
		// Refused: same tier (Billing is tier 1 too), no note, a light agent.
		bad := []struct {
			actor auth.Actor
			in    routing.EscalateInput
			field string
		}{
			{f.Agent, routing.EscalateInput{TeamID: f.Billing.ID, Note: "up"}, "team_id"},
			{f.Agent, routing.EscalateInput{TeamID: tier2.ID}, "note"},
			{f.Agent, routing.EscalateInput{TeamID: 999999, Note: "up"}, "team_id"},
		}
		for _, b := range bad {
			err := f.Routing.Escalate(ctx, b.actor, tk.ID, b.in)
			if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != b.field {
				t.Errorf("escalate %+v: %v, want a %s error", b.in, err, b.field)
			}
		}
		if err := f.Routing.Escalate(ctx, f.Light, tk.ID, routing.EscalateInput{TeamID: tier2.ID, Note: "up"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("light agent escalated: %v", err)
		}
		if err := f.Routing.Escalate(ctx, f.Agent, tk.ID, routing.EscalateInput{TeamID: tier2.ID, Note: "Needs a database expert"}); err != nil {
			t.Fatal(err)
		}
		after, _ := f.Tickets.Get(ctx, auth.System, tk.ID)
		if after.TeamID == nil || *after.TeamID != tier2.ID {
			t.Fatalf("team %v", after.TeamID)
		}
		// Aldo is not in Tier2: unassigned, then Tier2's round-robin picks.
		if after.AssigneeID == nil || *after.AssigneeID != agents[0] {
			t.Errorf("assignee %v, want %d", after.AssigneeID, agents[0])
		}
		// Thread and history kept; the note is internal.
		msgs, _ := f.Tickets.Messages(ctx, auth.System, tk.ID)
		if len(msgs) != 3 || msgs[1].BodyText != "Looking into it" || msgs[2].Kind != ticket.KindNote || msgs[2].BodyText != "Needs a database expert" {
			t.Errorf("thread %+v", msgs)
		}
		evs, _ := f.Tickets.Events(ctx, auth.System, tk.ID, 0, 100)
		for i, ev := range before {
			if evs[i].ID != ev.ID {
				t.Fatalf("history changed at %d", i)
			}
		}
		var kinds []string
		for _, ev := range evs[len(before):] {
			kinds = append(kinds, ev.Type+":"+ev.Field+"="+ev.NewValue)
		}
		want := []string{"note_added:=", fmt.Sprintf("field_changed:team_id=%d", tier2.ID), "field_changed:assignee_id=", fmt.Sprintf("field_changed:assignee_id=%d", agents[0])}
		if fmt.Sprint(kinds) != fmt.Sprint(want) {
			t.Errorf("events %v, want %v", kinds, want)
		}
		// An assignee who is in the new team keeps the ticket.
		tier3, _ := team(t, f, "Tier3", routing.Manual, 3, 0, 0)
		if _, err := f.People.UpdateTeam(ctx, f.Admin, tier3.ID, people.TeamInput{AgentIDs: &[]int64{agents[0]}}); err != nil {
			t.Fatal(err)
		}
		if err := f.Routing.Escalate(ctx, f.Admin, tk.ID, routing.EscalateInput{TeamID: tier3.ID, Note: "Up again"}); err != nil {
			t.Fatal(err)
		}
		after, _ = f.Tickets.Get(ctx, auth.System, tk.ID)
		if after.AssigneeID == nil || *after.AssigneeID != agents[0] || *after.TeamID != tier3.ID {
			t.Errorf("after second escalation: team %v assignee %v", after.TeamID, after.AssigneeID)
		}
	})
}

// TestOfflineAfter: with the setting on, agents without a recently used
// session are skipped; off, only their own status counts.
func TestOfflineAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		tm, agents := team(t, f, "Presence", routing.RoundRobin, 1, 2, 0)
		en := contact(t, f, "en@example.org", "en")
		if _, err := f.Routing.UpdateSettings(ctx, f.Agent, routing.RoutingSettings{OfflineAfterMinutes: 30}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("an agent changed the routing settings: %v", err)
		}
		if _, err := f.Routing.UpdateSettings(ctx, f.Admin, routing.RoutingSettings{OfflineAfterMinutes: -1}); err == nil {
			t.Error("a negative time accepted")
		}
		if _, err := f.Routing.UpdateSettings(ctx, f.Admin, routing.RoutingSettings{OfflineAfterMinutes: 30}); err != nil {
			t.Fatal(err)
		}
		// Nobody has signed in: nobody is online.
		if tk := newTicket(t, f, en, &tm.ID); tk.AssigneeID != nil {
			t.Errorf("assigned to %d, who never signed in", *tk.AssigneeID)
		}
		// The second agent signs in; an hour-old session of the first does not count.
		sessions := &auth.Sessions{DB: f.DB}
		if _, err := sessions.Create(ctx, agents[1], 0, "en", "test", "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := sessions.Create(ctx, agents[0], 0, "en", "test", "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.DB.Write().Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE agent_id = $1`, agents[0], time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if tk := newTicket(t, f, en, &tm.ID); tk.AssigneeID == nil || *tk.AssigneeID != agents[1] {
				t.Errorf("assignee %v, want the signed-in agent %d", tk.AssigneeID, agents[1])
			}
		}
		st, err := f.Routing.Settings(ctx, f.Admin)
		if err != nil || st.OfflineAfterMinutes != 30 {
			t.Errorf("settings %+v %v", st, err)
		}
		if _, err := f.Routing.UpdateSettings(ctx, f.Admin, routing.RoutingSettings{}); err != nil {
			t.Fatal(err)
		}
		if tk := newTicket(t, f, en, &tm.ID); tk.AssigneeID == nil || *tk.AssigneeID != agents[0] {
			t.Errorf("setting off: assignee %v, want %d (round-robin's turn)", tk.AssigneeID, agents[0])
		}
	})
}
