package ticket_test

// Benchmarks of the hot paths of the ticket service, on each engine, over
// a database seeded by bench.Seed (20,000 tickets), or over the big
// pre-seeded databases named by TESSERA_BENCH_DATABASE_URL_SQLITE and
// TESSERA_BENCH_DATABASE_URL_POSTGRES. They measure; they assert nothing
// about time. docs/BENCHMARKS.md has the numbers at a million tickets.

import (
	"context"
	"sync/atomic"
	"testing"

	"tessera/internal/bench"
	"tessera/internal/bench/benchenv"
	"tessera/internal/ticket"
)

const benchTickets = 20000

func eachEngine(b *testing.B, f func(b *testing.B, env *benchenv.Env)) {
	for _, e := range benchenv.Engines() {
		env := benchenv.NewEnv(b, e, benchTickets)
		b.Run(string(e), func(b *testing.B) { f(b, env) })
	}
}

// BenchmarkCreate opens a ticket through the service: requester lookup or
// creation, ticket, message, tags, event, search document, follow-up jobs.
func BenchmarkCreate(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchenv.Env) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			if _, err := env.Tickets.Create(ctx, env.Actor, env.NewTicket(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReadThread opens a ticket with a 20-message thread: Get and
// Messages, as the ticket page does.
func BenchmarkReadThread(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchenv.Env) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			id := env.ReadIDs[i%len(env.ReadIDs)]
			i++
			if _, err := env.Tickets.Get(ctx, env.Actor, id); err != nil {
				b.Fatal(err)
			}
			msgs, err := env.Tickets.Messages(ctx, env.Actor, id)
			if err != nil || len(msgs) != 20 {
				b.Fatalf("messages of %d: %d, %v", id, len(msgs), err)
			}
		}
	})
}

// BenchmarkListView lists a team's open tickets by last update, 25 a page:
// "walk" follows the cursor from page 1 to page 50 (or the last page) and
// reports the cost per page; "page50" fetches the 50th page alone, which
// with keyset paging should cost what the first does.
func BenchmarkListView(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchenv.Env) {
		ctx := context.Background()
		filter := func(cursor string) ticket.Filter {
			team := env.Team
			return ticket.Filter{Status: []string{"open"}, TeamID: &team, Sort: "updated", Limit: 25, Cursor: cursor}
		}
		// The cursor of the deepest page (50, or the last one if fewer).
		deepest, cursor, pages := "", "", 0
		for pages < 50 {
			p, err := env.Tickets.List(ctx, env.Actor, filter(cursor))
			if err != nil {
				b.Fatal(err)
			}
			pages++
			deepest = cursor
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		b.Run("walk", func(b *testing.B) {
			n := 0
			for b.Loop() {
				cursor := ""
				for range pages {
					p, err := env.Tickets.List(ctx, env.Actor, filter(cursor))
					if err != nil {
						b.Fatal(err)
					}
					n++
					cursor = p.NextCursor
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/page")
			b.ReportMetric(float64(pages), "pages")
		})
		b.Run("page50", func(b *testing.B) {
			for b.Loop() {
				p, err := env.Tickets.List(ctx, env.Actor, filter(deepest))
				if err != nil || len(p.Items) == 0 {
					b.Fatalf("page %d: %d items, %v", pages, len(p.Items), err)
				}
			}
			b.ReportMetric(float64(pages), "page")
		})
	})
}

// BenchmarkSearch runs the agents' full-text search over realistic queries
// in the three languages, first page with highlights.
func BenchmarkSearch(b *testing.B) {
	eachEngine(b, func(b *testing.B, env *benchenv.Env) {
		ctx := context.Background()
		var hits atomic.Int64
		i := 0
		for b.Loop() {
			q := bench.Queries[i%len(bench.Queries)]
			i++
			res, err := env.Tickets.Search(ctx, env.Actor, q, "", 20)
			if err != nil {
				b.Fatalf("search %q: %v", q, err)
			}
			hits.Add(int64(len(res.Items)))
		}
		b.ReportMetric(float64(hits.Load())/float64(max(i, 1)), "hits/op")
	})
}
