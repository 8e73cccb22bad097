// Package bench fills databases at scale and measures the API under load:
//
//	tessera bench seed --database-url URL --tickets N [--seed S]
//	tessera bench load --url http://127.0.0.1:PORT --token T --scenario create|read|list|search|mixed
//
//	go run ./internal/bench/cmd/benchexplain --database-url URL --team-id 1
//
// Seed writes realistic tickets (threads in English, Portuguese and
// Spanish, people, tags, events and search documents) with bulk inserts on
// either engine; load is a closed-loop HTTP load generator for loopback
// servers; explain prints the query plans of the list view and search.
// docs/BENCHMARKS.md records what they measured.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"tessera/internal/jobs"
	"tessera/internal/store"
)

// Command runs "tessera bench SUB".
func Command(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	switch sub {
	case "seed":
		return seedCommand(ctx, args, stdout, stderr)
	case "load":
		return loadCommand(ctx, args, stdout, stderr)
	case "explain":
		return explainCommand(ctx, args, stdout, stderr)
	}
	return fmt.Errorf("bench: unknown command %q (want seed, load or explain)", sub)
}

func seedCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tessera bench seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database-url", os.Getenv("TESSERA_DATABASE_URL"), "database to fill (sqlite://FILE or postgres://...); migrated first")
	n := fs.Int("tickets", 10000, "tickets to add")
	seed := fs.Int64("seed", 1, "random seed (the same seed gives the same data)")
	batch := fs.Int("batch", 0, "tickets per transaction (default 5000 on SQLite, 2000 on PostgreSQL)")
	keep := fs.Bool("keep-indexes", false, "never drop and rebuild the secondary indexes around the load")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench seed: unexpected argument %q", fs.Arg(0))
	}
	if *n <= 0 {
		return errors.New("bench seed: --tickets must be positive")
	}
	db, err := store.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeding %d tickets into %s (seed %d)\n", *n, db.Engine, *seed)
	_, err = Seed(ctx, db, SeedOptions{Tickets: *n, Seed: *seed, Batch: *batch, KeepIndexes: *keep, Log: stdout})
	return err
}
