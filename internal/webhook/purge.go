package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/store"
)

// Retention is how long the delivery log keeps a delivery.
const Retention = 30 * 24 * time.Hour

// PurgeArgs trims the delivery log.
type PurgeArgs struct{}

// Kind names the job.
func (PurgeArgs) Kind() string { return "webhook_purge" }

// PurgeWorker deletes deliveries (and their attempts) older than
// Retention, a batch at a time, so the log of a busy desk does not grow
// without end. Pending deliveries are kept whatever their age.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	DB *store.DB
}

// Work deletes old deliveries until none is left or a minute has passed.
func (w *PurgeWorker) Work(ctx context.Context, job *river.Job[PurgeArgs]) error {
	deadline := time.Now().Add(time.Minute)
	cutoff := store.Now().Add(-Retention)
	for time.Now().Before(deadline) {
		n, err := w.DB.Write().Exec(ctx, `DELETE FROM webhook_deliveries WHERE id IN
			(SELECT id FROM webhook_deliveries WHERE created_at < $1 AND status <> 'pending' ORDER BY created_at LIMIT 1000)`, cutoff)
		if err != nil {
			return fmt.Errorf("purge webhook deliveries: %w", err)
		}
		if n < 1000 {
			return nil
		}
	}
	return nil
}

// Periodic is the daily purge of the delivery log.
func (s *Service) Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
		return PurgeArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})}
}
