package jobs_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/jobs"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

type countArgs struct {
	N int `json:"n"`
}

func (countArgs) Kind() string { return "count_test" }

type countWorker struct {
	river.WorkerDefaults[countArgs]
	db   *store.DB
	runs *atomic.Int64
}

// Work records its job by a unique key: a second run of the same job would
// fail on the unique constraint and show up as a failure.
func (w *countWorker) Work(ctx context.Context, job *river.Job[countArgs]) error {
	w.runs.Add(1)
	_, err := w.db.Write().Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, 'ran')`, fmt.Sprint("job-", job.Args.N))
	return err
}

// TestTwoServersRunEachJobOnce starts two job workers on one database, as
// two tessera serve instances would, and checks that every job runs once.
func TestTwoServersRunEachJobOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		url := storetest.URL(t, e)
		var runs atomic.Int64
		var queues []*jobs.Queue
		var dbs []*store.DB
		for i := range 2 {
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if i == 0 {
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				if err := jobs.Migrate(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			w := river.NewWorkers()
			river.AddWorker(w, &countWorker{db: db, runs: &runs})
			q, err := jobs.New(db, jobs.Options{Work: true, Workers: w, MaxWorkers: 4})
			if err != nil {
				t.Fatal(err)
			}
			queues = append(queues, q)
			dbs = append(dbs, db)
		}
		const n = 60
		for i := range n {
			err := dbs[i%2].InTx(ctx, func(tx *store.Tx) error {
				return queues[i%2].InsertTx(ctx, tx, countArgs{N: i}, nil)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		failed := 0
		subs := []<-chan *river.Event{}
		for _, q := range queues {
			ch, cancel := q.Subscribe(river.EventKindJobFailed)
			defer cancel()
			subs = append(subs, ch)
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		defer func() {
			for _, q := range queues {
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_ = q.Stop(sctx)
				cancel()
			}
		}()
		deadline := time.Now().Add(60 * time.Second)
		for {
			var done int
			if err := dbs[0].Read().QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'job-%'`).Scan(&done); err != nil {
				t.Fatal(err)
			}
			for _, ch := range subs {
				for len(ch) > 0 {
					<-ch
					failed++
				}
			}
			if done == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d jobs done", done, n)
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		if failed > 0 || runs.Load() != n {
			t.Errorf("runs = %d, failures = %d; want %d runs and no failure", runs.Load(), failed, n)
		}
	})
}
