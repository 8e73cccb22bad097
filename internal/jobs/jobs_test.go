package jobs_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/app"
	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/jobs"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

func TestRecipients(t *testing.T) {
	agent := auth.Actor{Kind: auth.KindAgent, ID: 1}
	customer := auth.Actor{Kind: auth.KindContact, ID: 9}
	two, one := int64(2), int64(1)
	ev := func(typ, field, nv string) ticket.Event { return ticket.Event{Type: typ, Field: field, NewValue: nv} }
	cases := []struct {
		name     string
		actor    auth.Actor
		events   []ticket.Event
		assignee *int64
		want     []jobs.Notification
	}{
		{"assigned by a colleague", agent, []ticket.Event{ev("field_changed", "assignee_id", "2")}, &two, []jobs.Notification{{AgentID: 2, Kind: "assigned"}}},
		{"assigned to oneself", agent, []ticket.Event{ev("field_changed", "assignee_id", "1")}, &one, nil},
		{"unassigned", agent, []ticket.Event{ev("field_changed", "assignee_id", "")}, nil, nil},
		{"customer replied", customer, []ticket.Event{ev("reply_added", "", "")}, &two, []jobs.Notification{{AgentID: 2, Kind: "customer_replied"}}},
		{"customer replied, nobody assigned", customer, []ticket.Event{ev("reply_added", "", "")}, nil, nil},
		{"agent replied on own ticket", agent, []ticket.Event{ev("reply_added", "", "")}, &one, nil},
		{"colleague's note", agent, []ticket.Event{ev("note_added", "", "")}, &two, []jobs.Notification{{AgentID: 2, Kind: "note_added"}}},
		{"own note", agent, []ticket.Event{ev("note_added", "", "")}, &one, nil},
		{"reopened by customer", customer, []ticket.Event{ev("reply_added", "", ""), ev("reopened", "", "open")}, &two,
			[]jobs.Notification{{AgentID: 2, Kind: "customer_replied"}, {AgentID: 2, Kind: "reopened"}}},
		{"status change alone", agent, []ticket.Event{ev("field_changed", "status", "pending")}, &two, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := jobs.Recipients(ticket.Change{Actor: c.actor, Events: c.events}, c.assignee)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func notifications(t *testing.T, db *store.DB, agentID int64) []string {
	t.Helper()
	rows, err := db.Read().Query(context.Background(), `SELECT kind FROM notifications WHERE agent_id = $1 ORDER BY id`, agentID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// TestJobsRunAfterCommit starts real workers: a committed assignment and a
// customer reply produce notifications; nothing is sent for a change that
// rolled back.
func TestJobsRunAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, e)
		worker, err := app.New(ctx, f.DB, app.Options{Work: true, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		f.Tickets.FollowUp = worker.Tickets.FollowUp
		events, cancelSub := worker.Queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
		defer cancelSub()
		if err := worker.Queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = worker.Queue.Stop(sctx)
		}()
		tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Refund", Body: "Please refund order 1234", Requester: &ticket.RequesterInput{Email: "r@x.test"}})
		if err != nil {
			t.Fatal(err)
		}
		// A failing update (unknown status) enqueues nothing.
		bad := "nonsense"
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Status: &bad, AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Agent2.ID}}); err == nil {
			t.Fatal("bad status accepted")
		}
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Agent2.ID}}); err != nil {
			t.Fatal(err)
		}
		customer := auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}
		if _, err := f.Tickets.AddMessage(ctx, customer, tk.ID, ticket.MessageInput{Body: "Any news?"}); err != nil {
			t.Fatal(err)
		}
		done := 0
		timeout := time.After(30 * time.Second)
		for done < 2 {
			select {
			case ev := <-events:
				if ev.Kind == river.EventKindJobFailed {
					t.Fatalf("job failed: %+v", ev.Job.Errors)
				}
				if ev.Job.Kind == "notify_agents" {
					done++
				}
			case <-timeout:
				t.Fatalf("notify jobs did not run; got %d", done)
			}
		}
		got := notifications(t, f.DB, f.Agent2.ID)
		slices.Sort(got) // the two jobs may run in either order
		if !slices.Equal(got, []string{"assigned", "customer_replied"}) {
			t.Errorf("agent2 notifications = %v", got)
		}
		if got := notifications(t, f.DB, f.Agent.ID); len(got) != 0 {
			t.Errorf("the acting agent was notified: %v", got)
		}
	})
}

func TestCloseSolved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		f := apptest.New(t, e)
		old := ticket.WithNow(ctx, time.Now().Add(-5*24*time.Hour))
		solved := "solved"
		var ids []int64
		for i, subject := range []string{"old solved", "recent solved", "old open"} {
			c := old
			if i == 1 {
				c = ctx
			}
			tk, err := f.Tickets.Create(c, f.Agent, ticket.CreateInput{Subject: subject, Body: "b", Requester: &ticket.RequesterInput{Email: "s@x.test"}})
			if err != nil {
				t.Fatal(err)
			}
			if i < 2 {
				if _, err := f.Tickets.Update(c, f.Agent, tk.ID, ticket.UpdateInput{Status: &solved}); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, tk.ID)
		}
		w := &jobs.CloseSolvedWorker{DB: f.DB, Tickets: f.Tickets, After: 4 * 24 * time.Hour}
		if err := w.Work(ctx, &river.Job[jobs.CloseSolvedArgs]{}); err != nil {
			t.Fatal(err)
		}
		want := []string{"closed", "solved", "new"}
		for i, id := range ids {
			tk, _ := f.Tickets.Get(ctx, auth.System, id)
			if tk.Status != want[i] {
				t.Errorf("ticket %d status %s, want %s", i, tk.Status, want[i])
			}
		}
		ev, _ := f.Tickets.Events(ctx, auth.System, ids[0], 0, 100)
		last := ev[len(ev)-1]
		if last.Field != "status" || last.NewValue != "closed" || last.ActorKind != "system" {
			t.Errorf("closing event = %+v", last)
		}
	})
}
