package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/store"
	"tessera/internal/ticket"
)

// RetagArgs renames or removes a tag on every ticket that carries it.
type RetagArgs struct {
	ticket.Retag
}

// Kind names the job.
func (RetagArgs) Kind() string { return "retag" }

// RetagLater implements ticket.Background: the job is enqueued in the
// transaction that audits the admin's request.
func (f FollowUp) RetagLater(ctx context.Context, tx *store.Tx, r ticket.Retag) error {
	return f.Queue.InsertTx(ctx, tx, RetagArgs{Retag: r}, nil)
}

// RetagWorker works through the tickets a batch (one transaction) at a
// time. After about half a minute it snoozes and comes back, so a tag on
// a great many tickets never meets the job timeout and other jobs get
// their turn; a batch that fails is retried from where the work stands,
// since each batch reads the tickets that still carry the tag.
type RetagWorker struct {
	river.WorkerDefaults[RetagArgs]
	Tickets *ticket.Service
	Log     *slog.Logger
	// Slice is how long one run lasts before it snoozes (default 30 s).
	Slice time.Duration
}

// Work changes batches until none is left or the slice is used up.
func (w *RetagWorker) Work(ctx context.Context, job *river.Job[RetagArgs]) error {
	slice := w.Slice
	if slice <= 0 {
		slice = 30 * time.Second
	}
	start, total := time.Now(), 0
	for {
		n, err := w.Tickets.RetagBatch(ctx, job.Args.Retag, ticket.RetagBatchSize)
		if err != nil {
			return fmt.Errorf("retag %s: %w", job.Args.From, err)
		}
		total += n
		if n < ticket.RetagBatchSize {
			if w.Log != nil {
				w.Log.Info("retag finished", "from", job.Args.From, "to", job.Args.To, "tickets", total)
			}
			return nil
		}
		if time.Since(start) > slice {
			return river.JobSnooze(time.Second)
		}
	}
}
