package automation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/store"
	"tessera/internal/ticket"
)

type dueRow struct {
	due   time.Time
	fired bool
}

// schedule keeps the automation_due rows of a ticket: for each active
// automation, the moment its time conditions become true in the ticket's
// present state, or no row when they cannot. Fired rows stay as they are:
// an automation fires at most once per ticket.
func (s *Service) schedule(ctx context.Context, tx *store.Tx, ticketID int64, at time.Time, aus []*Program, calendar bool) error {
	if len(aus) == 0 {
		return nil
	}
	f, err := s.facts(ctx, tx, ticketID, "", nil, at, calendar, true)
	if err != nil || f == nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT automation_id, due_at, fired_at FROM automation_due WHERE ticket_id = $1`, ticketID)
	if err != nil {
		return fmt.Errorf("due times of ticket %d: %w", ticketID, err)
	}
	have := map[int64]dueRow{}
	for rows.Next() {
		var id int64
		var due time.Time
		var fired *time.Time
		if err := rows.Scan(&id, &due, &fired); err != nil {
			rows.Close()
			return err
		}
		have[id] = dueRow{due: due, fired: fired != nil}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, p := range aus {
		row, had := have[p.Rule.ID]
		if had && row.fired {
			continue
		}
		due, ok := p.DueAt(f)
		if f.StatusCategory == ticket.StatusClosed {
			ok = false // a closed ticket does not change again
		}
		switch {
		case !ok && had:
			_, err = tx.Exec(ctx, `DELETE FROM automation_due WHERE automation_id = $1 AND ticket_id = $2 AND fired_at IS NULL`, p.Rule.ID, ticketID)
		case !ok:
			continue
		case had && row.due.Equal(due.UTC().Truncate(time.Microsecond)):
			continue
		default:
			_, err = tx.Exec(ctx, `INSERT INTO automation_due (automation_id, ticket_id, due_at) VALUES ($1, $2, $3)
				ON CONFLICT (automation_id, ticket_id) DO UPDATE SET due_at = excluded.due_at WHERE automation_due.fired_at IS NULL`,
				p.Rule.ID, ticketID, due.UTC().Truncate(time.Microsecond))
		}
		if err != nil {
			return fmt.Errorf("due time of automation %d on ticket %d: %w", p.Rule.ID, ticketID, err)
		}
	}
	return nil
}

// Batch is how many due rows the runner reads at a time.
const Batch = 200

// RunDue runs the automations that are due at now: it reads the unfired
// rows whose due time has passed through the partial index (so its cost
// follows what is due, not the number of tickets), re-checks each rule's
// conditions at that moment, and acts. It works through every due row, a
// transaction per ticket and rule, and returns how many fired.
func (s *Service) RunDue(ctx context.Context, now time.Time) (int, error) {
	ctx = ticket.WithNow(ctx, now)
	fired := 0
	skip := map[[2]int64]bool{} // rows another runner held, tried again next time
	for {
		rows, err := s.DB.Read().Query(ctx, `SELECT automation_id, ticket_id FROM automation_due WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2`,
			now, Batch+len(skip))
		if err != nil {
			return fired, fmt.Errorf("due automations: %w", err)
		}
		var due [][2]int64
		for rows.Next() {
			var k [2]int64
			if err := rows.Scan(&k[0], &k[1]); err != nil {
				rows.Close()
				return fired, err
			}
			if !skip[k] {
				due = append(due, k)
			}
		}
		if err := rows.Close(); err != nil {
			return fired, err
		}
		if len(due) == 0 {
			return fired, nil
		}
		for _, k := range due {
			ok, claimed, err := s.runOne(ctx, k[0], k[1], now)
			if err != nil {
				return fired, err
			}
			if !claimed {
				skip[k] = true
			}
			if ok {
				fired++
			}
		}
		if err := ctx.Err(); err != nil {
			return fired, err
		}
	}
}

// runOne claims one due row and, if the rule's conditions hold now, fires
// it. A rule whose other conditions do not hold gives its row up: the
// ticket's next change computes it anew.
func (s *Service) runOne(ctx context.Context, automationID, ticketID int64, now time.Time) (fired, claimed bool, err error) {
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		lock := ""
		if tx.Engine == store.Postgres {
			lock = " FOR UPDATE"
		}
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM tickets WHERE id = $1`+lock, ticketID).Scan(&id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ticket %d: %w", ticketID, err)
		}
		n, err := tx.Exec(ctx, `UPDATE automation_due SET fired_at = $3 WHERE automation_id = $1 AND ticket_id = $2 AND fired_at IS NULL`, automationID, ticketID, now)
		if err != nil {
			return fmt.Errorf("claim automation %d on ticket %d: %w", automationID, ticketID, err)
		}
		if n == 0 {
			return nil
		}
		claimed = true
		trs, aus, calendar, err := s.active(ctx, tx)
		if err != nil {
			return err
		}
		var p *Program
		for _, a := range aus {
			if a.Rule.ID == automationID {
				p = a
			}
		}
		release := func() error {
			_, err := tx.Exec(ctx, `DELETE FROM automation_due WHERE automation_id = $1 AND ticket_id = $2`, automationID, ticketID)
			return err
		}
		if p == nil {
			return release() // deactivated or deleted since
		}
		f, err := s.facts(ctx, tx, ticketID, "", nil, now, calendar, true)
		if err != nil {
			return err
		}
		if f == nil || f.StatusCategory == ticket.StatusClosed || !p.Match(f) {
			return release()
		}
		pc := &pass{ticketID: ticketID}
		if err := s.fire(context.WithValue(ctx, passKey{}, pc), tx, pc, KindAutomation, p.Rule, ticketID, now); err != nil {
			return err
		}
		fired = true
		// The automation's changes are changes like any other: triggers
		// see them, and the other automations' due times follow them.
		if err := s.runTriggers(ctx, tx, ticketID, OnUpdated, pc.pending, now, trs, calendar); err != nil {
			return err
		}
		return s.schedule(ctx, tx, ticketID, now, aus, calendar)
	})
	return fired, claimed, err
}

// RunArgs runs the automations that are due.
type RunArgs struct{}

// Kind names the job.
func (RunArgs) Kind() string { return "run_automations" }

// RunWorker runs due automations.
type RunWorker struct {
	river.WorkerDefaults[RunArgs]
	Rules *Service
}

// Work runs what is due now.
func (w *RunWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	n, err := w.Rules.RunDue(ctx, store.Now())
	if n > 0 {
		w.Rules.log().Info("automations fired", "count", n)
	}
	return err
}

// Every is how often the runner looks for due automations: a rule acts
// within this long of the moment its condition becomes true.
const Every = 30 * time.Second

// AddJobs registers the runner, its schedule and the backfill.
func AddJobs(w *river.Workers, s *Service) *river.PeriodicJob {
	river.AddWorker(w, &RunWorker{Rules: s})
	river.AddWorker(w, &BackfillWorker{Rules: s})
	return river.NewPeriodicJob(river.PeriodicInterval(Every), func() (river.JobArgs, *river.InsertOpts) {
		// Unique per period: a slow run is not stacked with another.
		return RunArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: Every}}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// BackfillArgs computes one automation's due times for the tickets that
// existed before it was saved, a batch at a time from AfterID; each batch
// queues the next in its own transaction.
type BackfillArgs struct {
	AutomationID int64 `json:"automation_id"`
	AfterID      int64 `json:"after_id"`
}

// Kind names the job.
func (BackfillArgs) Kind() string { return "schedule_automation" }

// BackfillWorker works one batch.
type BackfillWorker struct {
	river.WorkerDefaults[BackfillArgs]
	Rules *Service
}

// Work computes one batch and queues the next.
func (w *BackfillWorker) Work(ctx context.Context, job *river.Job[BackfillArgs]) error {
	_, _, err := w.Rules.Backfill(ctx, job.Args.AutomationID, job.Args.AfterID)
	return err
}

// Backfill computes the due times of one automation for up to Batch
// tickets after afterID that its time condition could concern (solved
// tickets for "solved", unassigned ones for "unassigned", and so on; never
// closed ones), and queues the next batch when there are more. The ticket
// changes keep the rows from then on.
func (s *Service) Backfill(ctx context.Context, automationID, afterID int64) (last int64, more bool, err error) {
	now := store.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// The rule itself, not the cache: the job may run on a server
		// whose copy predates the save.
		r, err := scanRule(KindAutomation, tx.QueryRow(ctx, `SELECT `+cols(KindAutomation)+` FROM automations WHERE id = $1`, automationID))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("automation %d: %w", automationID, err)
		}
		if !r.Active {
			return nil
		}
		p, err := Compile(r)
		if err != nil {
			return err
		}
		calendar := p.usesCalendar()
		where := []string{"id > $1", "status_category <> 'closed'"}
		for _, c := range p.all {
			if c.field != FieldHoursSince {
				continue
			}
			switch c.since.Event {
			case SincePending:
				where = append(where, "status_category = 'pending'")
			case SinceSolved:
				where = append(where, "status_category = 'solved'")
			case SinceUnassigned:
				where = append(where, "assignee_id IS NULL")
			}
		}
		rows, err := tx.Query(ctx, `SELECT id FROM tickets WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT $2`, afterID, Batch)
		if err != nil {
			return fmt.Errorf("tickets for automation %d: %w", automationID, err)
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
		for _, id := range ids {
			f, err := s.facts(ctx, tx, id, "", nil, now, calendar, true)
			if err != nil {
				return err
			}
			if f == nil {
				continue
			}
			due, ok := p.DueAt(f)
			if !ok {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO automation_due (automation_id, ticket_id, due_at) VALUES ($1, $2, $3)
				ON CONFLICT (automation_id, ticket_id) DO UPDATE SET due_at = excluded.due_at WHERE automation_due.fired_at IS NULL`,
				automationID, id, due.UTC().Truncate(time.Microsecond)); err != nil {
				return fmt.Errorf("due time of automation %d on ticket %d: %w", automationID, id, err)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		last, more = ids[len(ids)-1], len(ids) == Batch
		if more && s.Queue != nil {
			return s.Queue.InsertTx(ctx, tx, BackfillArgs{AutomationID: automationID, AfterID: last}, nil)
		}
		return nil
	})
	return last, more, err
}
