// Package jobs runs durable background work on River, on both engines:
// jobs are enqueued in the same transaction as the change that causes them,
// retried with backoff, and worked once however many servers run; periodic
// schedules run on the elected leader only.
//
// River's client is generic over the engine's transaction type (*sql.Tx on
// SQLite, pgx.Tx on PostgreSQL); Queue hides that behind store.Tx.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"tessera/internal/store"
)

// Migrate applies River's own schema.
func Migrate(ctx context.Context, db *store.DB) error {
	var err error
	if db.Engine == store.SQLite {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(db.SQLDB()), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(db.PgxPool()), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate jobs: %w", err)
	}
	return nil
}

// Queue inserts jobs and, when started, works them.
type Queue struct {
	engine store.Engine
	lite   *river.Client[*sql.Tx]
	pg     *river.Client[pgx.Tx]
}

// Options configure a Queue.
type Options struct {
	// Work makes the queue work jobs (servers); without it the queue only
	// inserts (command-line tools).
	Work     bool
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	Logger   *slog.Logger
	// MaxWorkers bounds concurrent jobs per server.
	MaxWorkers int
}

// New builds a queue on db.
func New(db *store.DB, o Options) (*Queue, error) {
	cfg := &river.Config{
		Logger:                      quiet(o.Logger),
		MaxAttempts:                 10,
		JobTimeout:                  time.Minute,
		CompletedJobRetentionPeriod: 24 * time.Hour,
		SkipUnknownJobCheck:         !o.Work,
	}
	if o.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Work {
		mw := o.MaxWorkers
		if mw <= 0 {
			mw = 4
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: mw}}
		cfg.Workers = o.Workers
		cfg.PeriodicJobs = o.Periodic
	}
	q := &Queue{engine: db.Engine}
	var err error
	if db.Engine == store.SQLite {
		// SQLite has no LISTEN; River polls. Once a second is soon enough for
		// notifications and cheap on a single writer.
		cfg.FetchPollInterval = time.Second
		cfg.PollOnly = true
		q.lite, err = river.NewClient(riversqlite.New(db.SQLDB()), cfg)
	} else {
		q.pg, err = river.NewClient(riverpgxv5.New(db.PgxPool()), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return q, nil
}

// Start begins working jobs until ctx ends or Stop is called.
func (q *Queue) Start(ctx context.Context) error {
	if q.lite != nil {
		return q.lite.Start(ctx)
	}
	return q.pg.Start(ctx)
}

// Stop lets running jobs finish (until ctx ends) and stops.
func (q *Queue) Stop(ctx context.Context) error {
	var err error
	if q.lite != nil {
		err = q.lite.Stop(ctx)
	} else {
		err = q.pg.Stop(ctx)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// InsertTx enqueues a job inside tx: it exists if and only if tx commits.
func (q *Queue) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	var err error
	if tx.Engine == store.SQLite {
		_, err = q.lite.InsertTx(ctx, tx.SQLTx(), args, opts)
	} else {
		_, err = q.pg.InsertTx(ctx, tx.PgxTx(), args, opts)
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Insert enqueues a job on its own, for work that follows no database
// change (a mail asked for by a visitor).
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	var err error
	if q.lite != nil {
		_, err = q.lite.Insert(ctx, args, opts)
	} else {
		_, err = q.pg.Insert(ctx, args, opts)
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Subscribe reports finished jobs (tests and operations).
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	if q.lite != nil {
		return q.lite.Subscribe(kinds...)
	}
	return q.pg.Subscribe(kinds...)
}

// quiet passes River's own log on at warning level and above: at info it
// reports its producer's job counts every ten seconds, which buries the
// server's log.
func quiet(l *slog.Logger) *slog.Logger {
	if l == nil {
		return nil
	}
	return slog.New(minLevel{l.Handler(), slog.LevelWarn})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
