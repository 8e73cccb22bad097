package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/auth"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// NotifyArgs asks for in-app notifications to agents about one ticket.
type NotifyArgs struct {
	TicketID int64          `json:"ticket_id"`
	Notes    []Notification `json:"notes"`
}

// Kind names the job.
func (NotifyArgs) Kind() string { return "notify_agents" }

// Notification is one message for one agent.
type Notification struct {
	AgentID int64  `json:"agent_id"`
	Kind    string `json:"kind"`
}

// Recipients decides who hears about a change: the new assignee when
// someone else assigns them, the assignee when the customer replies or a
// colleague adds a note. Pure: the change and the current assignee in,
// notifications out.
func Recipients(c ticket.Change, assignee *int64) []Notification {
	var out []Notification
	seen := map[Notification]bool{}
	add := func(id int64, kind string) {
		if c.Actor.Kind == auth.KindAgent && c.Actor.ID == id {
			return // nobody is told about their own action
		}
		n := Notification{AgentID: id, Kind: kind}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, e := range c.Events {
		switch {
		case e.Type == ticket.EventField && e.Field == "assignee_id" && e.NewValue != "":
			if id, err := strconv.ParseInt(e.NewValue, 10, 64); err == nil {
				add(id, "assigned")
			}
		case e.Type == ticket.EventReply && c.Actor.Kind == auth.KindContact && assignee != nil:
			add(*assignee, "customer_replied")
		case e.Type == ticket.EventNote && assignee != nil:
			add(*assignee, "note_added")
		case e.Type == ticket.EventReopened && assignee != nil:
			add(*assignee, "reopened")
		}
	}
	return out
}

// FollowUp implements ticket.FollowUp: it enqueues the jobs a change needs,
// in the change's transaction.
type FollowUp struct {
	Queue *Queue
}

// TicketChanged enqueues notifications for the change, if it needs any.
func (f FollowUp) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	needAssignee := false
	for _, e := range c.Events {
		if e.Type == ticket.EventReply || e.Type == ticket.EventNote || e.Type == ticket.EventReopened || (e.Type == ticket.EventField && e.Field == "assignee_id") {
			needAssignee = true
		}
	}
	if !needAssignee {
		return nil
	}
	var assignee *int64
	if err := tx.QueryRow(ctx, `SELECT assignee_id FROM tickets WHERE id = $1`, c.TicketID).Scan(&assignee); err != nil {
		return fmt.Errorf("assignee of ticket %d: %w", c.TicketID, err)
	}
	notes := Recipients(c, assignee)
	if len(notes) == 0 {
		return nil
	}
	return f.Queue.InsertTx(ctx, tx, NotifyArgs{TicketID: c.TicketID, Notes: notes}, nil)
}

// NotifyWorker writes in-app notifications.
type NotifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	DB *store.DB
}

var summaries = map[string]string{
	"assigned":         "Ticket #%d was assigned to you",
	"customer_replied": "The customer replied on ticket #%d",
	"note_added":       "A colleague added an internal note on ticket #%d",
	"reopened":         "Ticket #%d was reopened by the customer",
}

// Work inserts a job's notifications in one transaction, so a retried job
// never leaves half of them behind.
func (w *NotifyWorker) Work(ctx context.Context, job *river.Job[NotifyArgs]) error {
	var number int64
	err := w.DB.Read().QueryRow(ctx, `SELECT number FROM tickets WHERE id = $1`, job.Args.TicketID).Scan(&number)
	if err != nil {
		return fmt.Errorf("notify ticket %d: %w", job.Args.TicketID, err)
	}
	return w.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, n := range job.Args.Notes {
			summary := fmt.Sprintf(summaries[n.Kind], number)
			_, err := tx.Exec(ctx, `INSERT INTO notifications (agent_id, ticket_id, kind, summary, created_at)
				SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM agents WHERE id = $1 AND active)`,
				n.AgentID, job.Args.TicketID, n.Kind, summary, store.Now())
			if err != nil {
				return fmt.Errorf("notify agent %d: %w", n.AgentID, err)
			}
		}
		return nil
	})
}

// CloseSolvedArgs closes tickets that have been solved for a while.
type CloseSolvedArgs struct{}

// Kind names the job.
func (CloseSolvedArgs) Kind() string { return "close_solved" }

// CloseSolvedWorker closes, through the ticket service (so each closing is
// an event), the tickets solved more than After ago, a batch at a time.
type CloseSolvedWorker struct {
	river.WorkerDefaults[CloseSolvedArgs]
	DB      *store.DB
	Tickets *ticket.Service
	After   time.Duration
	Log     *slog.Logger
}

// Work closes one batch; the schedule brings the next.
func (w *CloseSolvedWorker) Work(ctx context.Context, job *river.Job[CloseSolvedArgs]) error {
	cutoff := store.Now().Add(-w.After)
	rows, err := w.DB.Read().Query(ctx, `SELECT id FROM tickets WHERE status_category = 'solved' AND solved_at < $1 ORDER BY solved_at LIMIT 500`, cutoff)
	if err != nil {
		return fmt.Errorf("solved tickets: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	closed := "closed"
	for _, id := range ids {
		if _, err := w.Tickets.Update(ctx, auth.System, id, ticket.UpdateInput{Status: &closed}); err != nil {
			return fmt.Errorf("close ticket %d: %w", id, err)
		}
	}
	if len(ids) > 0 && w.Log != nil {
		w.Log.Info("closed solved tickets", "count", len(ids))
	}
	return nil
}

// PurgeArgs removes expired idempotency keys, browser sessions, sign-in
// links and old sign-in failures.
type PurgeArgs struct{}

// Kind names the job (its first task kept the name; queued jobs refer to it).
func (PurgeArgs) Kind() string { return "purge_idempotency_keys" }

// PurgeWorker deletes idempotency keys older than a day and what
// auth.Sessions has let expire.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	DB *store.DB
}

// Work deletes the expired keys.
func (w *PurgeWorker) Work(ctx context.Context, job *river.Job[PurgeArgs]) error {
	_, err := w.DB.Write().Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, store.Now().Add(-24*time.Hour))
	if err != nil {
		return fmt.Errorf("purge idempotency keys: %w", err)
	}
	if _, err := (&auth.Sessions{DB: w.DB}).Purge(ctx); err != nil {
		return err
	}
	return nil
}

// SLACheckArgs looks for SLA clocks whose due or warning time has come.
type SLACheckArgs struct{}

// Kind names the job.
func (SLACheckArgs) Kind() string { return "sla_check" }

// SLACheckWorker records breaches and warnings. It reads only the clocks
// that are due (an indexed range), so its cost follows what is due, not
// the number of open tickets; running every ten seconds, a breach is
// recorded within about ten seconds of its due time, also after a restart.
type SLACheckWorker struct {
	river.WorkerDefaults[SLACheckArgs]
	Clocks  *clocks.Service
	Tickets *ticket.Service
	Log     *slog.Logger
}

// Work refreshes the due tickets, a batch at a time, until none is left.
func (w *SLACheckWorker) Work(ctx context.Context, job *river.Job[SLACheckArgs]) error {
	for range 20 {
		ids, err := w.Clocks.Due(ctx, store.Now(), 200)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := w.Tickets.RefreshClocks(ctx, id); err != nil {
				return fmt.Errorf("sla clocks of ticket %d: %w", id, err)
			}
		}
		if len(ids) < 200 {
			return nil
		}
	}
	return nil
}

// Timeout: a check never runs longer than its interval allows.
func (w *SLACheckWorker) Timeout(*river.Job[SLACheckArgs]) time.Duration { return time.Minute }

// Standard returns the workers and schedules of a Tessera server.
func Standard(db *store.DB, tickets *ticket.Service, slaClocks *clocks.Service, closeAfter time.Duration, log *slog.Logger) (*river.Workers, []*river.PeriodicJob) {
	w := river.NewWorkers()
	river.AddWorker(w, &SLACheckWorker{Clocks: slaClocks, Tickets: tickets, Log: log})
	river.AddWorker(w, &NotifyWorker{DB: db})
	river.AddWorker(w, &CloseSolvedWorker{DB: db, Tickets: tickets, After: closeAfter, Log: log})
	river.AddWorker(w, &PurgeWorker{DB: db})
	river.AddWorker(w, &RetagWorker{Tickets: tickets, Log: log})
	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(10*time.Second), func() (river.JobArgs, *river.InsertOpts) {
			// Unique per period: a slow check is not stacked with another.
			return SLACheckArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Second}}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(10*time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			return CloseSolvedArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
			return PurgeArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
	return w, periodic
}
