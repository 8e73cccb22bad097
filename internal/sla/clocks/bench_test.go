package clocks_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// BenchmarkDue measures the breach and warning lookup with N active clocks
// of open tickets (TESSERA_BENCH_OPEN_TICKETS, default 100,000), of which
// 50 are due: its cost follows the due ones, not N. The clocks are
// inserted directly, in bulk.
func BenchmarkDue(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("TESSERA_BENCH_OPEN_TICKETS")); err == nil && v > 0 {
		n = v
	}
	for _, e := range storetest.Engines() {
		b.Run(fmt.Sprintf("%s/open=%d", e, n), func(b *testing.B) {
			f := apptest.New(b, e)
			now := time.Now().UTC().Truncate(time.Second)
			err := f.DB.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('c', $1, $1)`, now); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO sla_policies (name, targets, created_at, updated_at) VALUES ('p', '{}', $1, $1)`, now); err != nil {
					return err
				}
				const batch = 500
				for start := 1; start <= n; start += batch {
					q := `INSERT INTO tickets (id, number, subject, status, status_category, priority, channel, requester_id, created_at, updated_at) VALUES `
					q2 := `INSERT INTO ticket_sla (ticket_id, metric, policy_id, state, target_minutes, business_hours, due_at, updated_at) VALUES `
					var args, args2 []any
					for i := start; i < start+batch && i <= n; i++ {
						if i > start {
							q += ","
							q2 += ","
						}
						k := len(args)
						q += fmt.Sprintf("($%d, $%d, 's', 'open', 'open', 'normal', 'api', 1, $%d, $%d)", k+1, k+2, k+3, k+4)
						args = append(args, i, i, now, now)
						due := now.Add(time.Duration(i%10000+1) * time.Minute) // in the future...
						if i%(n/50) == 0 {
							due = now.Add(-time.Minute) // ...but for 50 of them
						}
						k2 := len(args2)
						q2 += fmt.Sprintf("($%d, 'first_reply', 1, 'active', 60, $%d, $%d, $%d)", k2+1, k2+2, k2+3, k2+4)
						args2 = append(args2, i, false, due, now)
					}
					if _, err := tx.Exec(ctx, q, args...); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, q2, args2...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if f.DB.Engine == store.Postgres {
				if _, err := f.DB.Write().Exec(ctx, "ANALYZE ticket_sla"); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				ids, err := f.SLA.Due(ctx, now, 500)
				if err != nil {
					b.Fatal(err)
				}
				if len(ids) != 50 {
					b.Fatalf("due = %d, want 50", len(ids))
				}
			}
		})
	}
}
