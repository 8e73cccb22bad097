package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// The search statements as internal/search builds them (kept in step by
// hand; explain prints the plans the engines choose for them). The list
// statements come from the ticket service itself (ListStatements).
var window = strconv.Itoa(search.RankWindow)

var recentWindow = strconv.Itoa(search.RecentWindow)

// searchStage is one stage of internal/search.Tickets: the exact words or
// the last word as a prefix, among the newest search.RecentWindow tickets
// or among all. Tickets runs them in this order and stops at the first
// stage that fills the page.
type searchStage struct{ prefix, recent bool }

var searchStages = []searchStage{{false, true}, {false, false}, {true, true}, {true, false}}

func (st searchStage) String() string {
	s := "exact"
	if st.prefix {
		s = "prefix"
	}
	if st.recent {
		return s + ", newest " + recentWindow
	}
	return s + ", all"
}

// searchCurrent is the statement internal/search.Tickets builds for a stage
// (agents who see every ticket): only the newest search.RankWindow matches
// are ranked.
func searchCurrent(engine store.Engine, recent bool) string {
	if engine == store.SQLite {
		w := ""
		if recent {
			w = " AND rowid > (SELECT COALESCE(MAX(id), 0) FROM tickets) - " + recentWindow
		}
		return `SELECT t.id FROM (SELECT rowid AS id, bm25(ticket_fts, 4.0, 1.0) AS score FROM ticket_fts
			WHERE ticket_fts MATCH $1` + w + ` ORDER BY rowid DESC LIMIT ` + window + `) m
			JOIN tickets t ON t.id = m.id
			WHERE 1 = 1
			ORDER BY m.score, t.id DESC LIMIT $2 OFFSET $3`
	}
	w := ""
	if recent {
		w = " AND ticket_id > (SELECT COALESCE(MAX(id), 0) FROM tickets) - " + recentWindow
	}
	return `WITH m AS (SELECT ticket_id FROM ticket_search WHERE document @@ to_tsquery('simple', $1)` + w + `
			ORDER BY ticket_id DESC LIMIT ` + window + `)
			SELECT t.id FROM m JOIN ticket_search s ON s.ticket_id = m.ticket_id JOIN tickets t ON t.id = m.ticket_id
			WHERE 1 = 1
			ORDER BY ts_rank(s.document, to_tsquery('simple', $1)) DESC, t.id DESC LIMIT $2 OFFSET $3`
}

var (
	// The earlier search, which ranked every match (printed with --before,
	// for comparison).
	searchLiteAll = `SELECT t.id FROM ticket_fts f JOIN tickets t ON t.id = f.rowid
			WHERE ticket_fts MATCH $1
			ORDER BY bm25(ticket_fts, 4.0, 1.0), t.id DESC LIMIT $2 OFFSET $3`
	searchPgAll = `SELECT t.id FROM ticket_search s JOIN tickets t ON t.id = s.ticket_id
			WHERE s.document @@ to_tsquery('simple', $1)
			ORDER BY ts_rank(s.document, to_tsquery('simple', $1)) DESC, t.id DESC LIMIT $2 OFFSET $3`
)

// explainCommand prints the query plans (and on PostgreSQL the measured
// execution) of the list view at page 1 and page 50 and of a search.
func explainCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tessera bench explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("database-url", os.Getenv("TESSERA_DATABASE_URL"), "database")
	team := fs.Int64("team-id", 1, "team of the list view")
	only := fs.String("only", "", "list, search or views (the built-in views in every sort): explain only that")
	pages := fs.Int("page", 50, "page of the list view to explain")
	q := fs.String("q", "invoice", "search query to explain")
	before := fs.Bool("before", false, "also explain the earlier search that ranked every match")
	timings := fs.Bool("search-timings", false, "time the search statement and the whole service search for each query of the load tool (no plans)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	a, err := app.Open(ctx, app.Options{DatabaseURL: *dbURL, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer a.Close()
	if *timings {
		return searchTimings(ctx, a, stdout)
	}
	if *only == "views" {
		return explainViews(ctx, a, stdout, *pages)
	}
	if *only == "search" {
		*pages = 1
	}
	// Walk to the page through the service to get its real cursor.
	cursor := ""
	for p := 1; p < *pages; p++ {
		pg, err := a.Tickets.List(ctx, auth.System, ticket.Filter{Status: []string{"open"}, TeamID: team, Limit: 25, Cursor: cursor})
		if err != nil {
			return err
		}
		if pg.NextCursor == "" {
			return fmt.Errorf("only %d pages", p)
		}
		cursor = pg.NextCursor
	}
	show := func(title, query string, args ...any) error {
		return explainOne(ctx, a, stdout, title, query, args...)
	}
	if *only != "search" {
		for _, page := range []struct {
			n      int
			cursor string
		}{{1, ""}, {*pages, cursor}} {
			f := ticket.Filter{Status: []string{"open"}, TeamID: team, Limit: 25, Cursor: page.cursor}
			stmts, err := a.Tickets.ListStatements(ctx, auth.System, &f)
			if err != nil {
				return err
			}
			for _, st := range stmts {
				if err := show(fmt.Sprintf("list view, page %d", page.n), st.SQL, st.Args...); err != nil {
					return err
				}
			}
		}
	}
	if *only == "list" {
		return nil
	}
	// Every stage the service would run for this query, up to the first
	// that fills the page of 21.
	for _, st := range searchStages {
		match, err := searchMatch(a.DB.Engine, *q, st.prefix)
		if err != nil {
			return err
		}
		if err := show("search "+*q+" ("+st.String()+"; newest 2,000 matches ranked)", searchCurrent(a.DB.Engine, st.recent), match, 21, 0); err != nil {
			return err
		}
		n, err := countRows(ctx, a, searchCurrent(a.DB.Engine, st.recent), match, 21, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "-- %d rows\n", n)
		if n >= 21 {
			break
		}
	}
	if *before {
		match, err := searchMatch(a.DB.Engine, *q, true)
		if err != nil {
			return err
		}
		all := searchPgAll
		if a.DB.Engine == store.SQLite {
			all = searchLiteAll
		}
		return show("search "+*q+", every match ranked (before the fix)", all, match, 21, 0)
	}
	return nil
}

// explainOne prints a statement, its plan (on PostgreSQL the measured
// execution) and its best time of five runs.
func explainOne(ctx context.Context, a *app.App, stdout io.Writer, title, query string, args ...any) error {
	fmt.Fprintf(stdout, "\n-- %s\n%s\n", title, query)
	fmt.Fprintf(stdout, "-- args: %v\n", args)
	prefix := "EXPLAIN QUERY PLAN "
	if a.DB.Engine == store.Postgres {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := a.DB.Read().Query(ctx, prefix+query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if a.DB.Engine == store.Postgres {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			fmt.Fprintln(stdout, line)
		} else {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%d %d %s\n", id, parent, detail)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Time the statement itself (best of five).
	best := time.Hour
	for range 5 {
		start := time.Now()
		rows, err := a.DB.Read().Query(ctx, query, args...)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		best = min(best, time.Since(start))
	}
	fmt.Fprintf(stdout, "-- runs in %s (best of 5)\n", best.Round(time.Microsecond))
	return nil
}

func countRows(ctx context.Context, a *app.App, query string, args ...any) (int, error) {
	rows, err := a.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// searchMatch returns the MATCH (SQLite) or tsquery (PostgreSQL) argument
// of q for a stage, as internal/search renders it.
func searchMatch(engine store.Engine, q string, prefix bool) (string, error) {
	parsed := search.Parse(q)
	if parsed.Empty() {
		return "", fmt.Errorf("search %q: only stop words", q)
	}
	parts := make([]string, len(parsed.Words))
	for i, w := range parsed.Words {
		if engine == store.SQLite {
			parts[i] = `"` + w + `"`
		} else {
			parts[i] = w
		}
	}
	if engine == store.SQLite {
		if prefix {
			parts[len(parts)-1] += "*"
		}
		return strings.Join(parts, " "), nil
	}
	if prefix {
		parts[len(parts)-1] += ":*"
	}
	return strings.Join(parts, " & "), nil
}

// searchTimings times, for each query of the load tool, one at a time and
// best of three: the search statements alone (every stage the service runs,
// up to the first that fills the page), and the whole service search
// (statements, tickets, excerpts) as the API runs it with 20 results.
func searchTimings(ctx context.Context, a *app.App, stdout io.Writer) error {
	fmt.Fprintf(stdout, "%-26s %12s %12s %6s  %s\n", "query", "statements", "service", "hits", "stages run")
	var sumSQL, sumSvc time.Duration
	for _, q := range Queries {
		bestSQL, bestSvc, hits, stages := time.Hour, time.Hour, 0, 0
		for range 3 {
			start := time.Now()
			stages = 0
			for _, st := range searchStages {
				match, err := searchMatch(a.DB.Engine, q, st.prefix)
				if err != nil {
					return err
				}
				stages++
				n, err := countRows(ctx, a, searchCurrent(a.DB.Engine, st.recent), match, 21, 0)
				if err != nil {
					return err
				}
				if n >= 21 {
					break
				}
			}
			bestSQL = min(bestSQL, time.Since(start))
			start = time.Now()
			res, err := a.Tickets.Search(ctx, auth.System, q, "", 20)
			if err != nil {
				return err
			}
			bestSvc = min(bestSvc, time.Since(start))
			hits = len(res.Items)
		}
		sumSQL += bestSQL
		sumSvc += bestSvc
		fmt.Fprintf(stdout, "%-26s %12s %12s %6d  %d\n", q, bestSQL.Round(10*time.Microsecond), bestSvc.Round(10*time.Microsecond), hits, stages)
	}
	n := time.Duration(len(Queries))
	fmt.Fprintf(stdout, "%-26s %12s %12s\n", "mean", (sumSQL / n).Round(10*time.Microsecond), (sumSvc / n).Round(10*time.Microsecond))
	return nil
}
