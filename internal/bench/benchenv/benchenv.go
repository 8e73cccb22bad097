// Package benchenv gives the Go benchmarks of the hot paths a seeded
// database: a fresh one seeded by bench.Seed, or a big pre-seeded one
// named by TESSERA_BENCH_DATABASE_URL_SQLITE / _POSTGRES.
package benchenv

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"tessera/internal/app"
	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/bench"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// Env is a seeded database for the Go benchmarks of the hot paths.
type Env struct {
	*app.App
	Engine store.Engine
	// Actor is an admin who sees every ticket; Token is an API token of his.
	Actor auth.Actor
	Token string
	// ReadIDs are tickets with 20-message threads.
	ReadIDs []int64
	// Team is the team with the most open tickets.
	Team  int64
	Teams []int64
	// Count is how many tickets the database holds.
	Count int64
}

// Engines lists the engines to benchmark (storetest.Engines: both unless
// TESSERA_TEST_ENGINES names one).
func Engines() []store.Engine { return storetest.Engines() }

// EnvURL is the environment variable naming a pre-seeded database for an
// engine: TESSERA_BENCH_DATABASE_URL_SQLITE or _POSTGRES.
func EnvURL(e store.Engine) string { return "TESSERA_BENCH_DATABASE_URL_" + strings.ToUpper(string(e)) }

// NewEnv returns a benchmark environment on engine: the pre-seeded
// database named by EnvURL(engine) if set (the benchmarks then add tickets
// to it), else a fresh database seeded with the given number of tickets.
func NewEnv(tb testing.TB, engine store.Engine, tickets int) *Env {
	tb.Helper()
	ctx := context.Background()
	env := &Env{Engine: engine}
	if url := os.Getenv(EnvURL(engine)); url != "" {
		a, err := app.Open(ctx, app.Options{DatabaseURL: url, Migrate: true, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			tb.Fatalf("open %s: %v", EnvURL(engine), err)
		}
		tb.Cleanup(func() { a.Close() })
		env.App = a
		var id int64
		err = a.DB.Read().QueryRow(ctx, `SELECT id FROM agents WHERE active AND role = 'admin' AND ticket_access = 'all' ORDER BY id LIMIT 1`).Scan(&id)
		if err != nil {
			email, name, role := "bench-admin@bench.example", "Bench Admin", auth.RoleAdmin
			ag, err := a.People.CreateAgent(ctx, auth.System, people.AgentInput{Email: &email, Name: &name, Role: &role})
			if err != nil {
				tb.Fatalf("bench admin: %v", err)
			}
			id = ag.ID
		}
		ag, err := a.People.GetAgent(ctx, id)
		if err != nil {
			tb.Fatalf("bench admin: %v", err)
		}
		env.Actor = people.ActorOf(ag)
	} else {
		f := apptest.New(tb, engine)
		env.App, env.Actor = f.App, f.Admin
		if _, err := bench.Seed(ctx, f.DB, bench.SeedOptions{Tickets: tickets, Seed: 1}); err != nil {
			tb.Fatalf("seed: %v", err)
		}
	}
	var err error
	if env.Token, err = env.People.CreateToken(ctx, auth.System, env.Actor.ID, "bench"); err != nil {
		tb.Fatalf("token: %v", err)
	}
	q := env.DB.Read()
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&env.Count); err != nil {
		tb.Fatal(err)
	}
	if env.ReadIDs, err = ids(ctx, q, `SELECT id FROM tickets WHERE message_count = 20 ORDER BY id LIMIT 50`); err != nil || len(env.ReadIDs) == 0 {
		tb.Fatalf("tickets with 20 messages: %v (%d)", err, len(env.ReadIDs))
	}
	team, err := ids(ctx, q, `SELECT team_id FROM tickets WHERE status_category = 'open' AND team_id IS NOT NULL GROUP BY team_id ORDER BY COUNT(*) DESC, team_id LIMIT 1`)
	if err != nil || len(team) == 0 {
		tb.Fatalf("team with open tickets: %v", err)
	}
	env.Team = team[0]
	if env.Teams, err = ids(ctx, q, `SELECT id FROM teams ORDER BY id`); err != nil {
		tb.Fatal(err)
	}
	return env
}

func ids(ctx context.Context, q store.Querier, query string) ([]int64, error) {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// NewTicket is the i-th realistic new ticket (bench.NewTicket).
func (env *Env) NewTicket(i int) ticket.CreateInput { return bench.NewTicket(i, env.Teams) }

// NewTicketJSON is the i-th new ticket as the body of POST /api/v1/tickets.
func (env *Env) NewTicketJSON(i int) []byte { return bench.NewTicketJSON(i, env.Teams) }
