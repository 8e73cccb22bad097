package report_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"tessera/internal/report"
	"tessera/internal/store"
)

// TestTimings measures the reports on a seeded database (tessera bench
// seed): TESSERA_BENCH_REPORTS_DB=sqlite:///path/bench.db or a postgres
// URL. It is skipped otherwise. Figures go to docs/BENCHMARKS.md.
func TestTimings(t *testing.T) {
	url := os.Getenv("TESSERA_BENCH_REPORTS_DB")
	if url == "" {
		t.Skip("TESSERA_BENCH_REPORTS_DB is not set")
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := &report.Service{DB: db}
	report.SetPhase(func(name string, d time.Duration) { t.Logf("    %-8s %6d ms", name, d.Milliseconds()) })
	defer report.SetPhase(nil)
	var last time.Time
	if err := db.Read().QueryRow(ctx, `SELECT created_at FROM tickets ORDER BY created_at DESC LIMIT 1`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	var team int64
	if err := db.Read().QueryRow(ctx, `SELECT MIN(id) FROM teams`).Scan(&team); err != nil {
		t.Fatal(err)
	}
	y, m, d := last.Date()
	to := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, days := range days() {
		f := report.Filter{From: to.AddDate(0, 0, -(days - 1)), To: to}
		for _, name := range []string{"all", "priority=urgent", "team+urgent"} {
			g := f
			if name != "all" {
				g.Priority = "urgent"
			}
			if name == "team+urgent" {
				// Two dimensions: the joint hourly tables answer.
				g.TeamID = &team
			}
			start := time.Now()
			s, err := svc.Summary(ctx, g)
			if err != nil {
				t.Fatal(err)
			}
			uses, err := svc.UsesSummary(g)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s summary %3d days %-16s %8.0f ms  created %d solved %d backlog %d (summary tables: %v)", db.Engine, days, name, float64(time.Since(start).Microseconds())/1000, s.Created, s.Solved, s.Backlog, uses)
			// TESSERA_BENCH_REPORTS_COMPARE=1 also runs the event scan and
			// checks that both give the same figures.
			if os.Getenv("TESSERA_BENCH_REPORTS_COMPARE") != "" && uses {
				start := time.Now()
				want, err := svc.Summary(ctx, report.Scan(g))
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s event scan %3d days %-16s %8.0f ms", db.Engine, days, name, float64(time.Since(start).Microseconds())/1000)
				gj, _ := json.Marshal(s)
				wj, _ := json.Marshal(want)
				if string(gj) != string(wj) {
					t.Errorf("%d days %s: the summary tables and the event scan differ:\n%s\n%s", days, name, gj, wj)
				}
			}
		}
	}
	start := time.Now()
	dash, err := svc.Dashboard(ctx, report.Filter{}, last)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s dashboard %8.0f ms  unassigned %d breached %d", db.Engine, float64(time.Since(start).Microseconds())/1000, dash.Unassigned, dash.Breached)
}

func days() []int {
	if os.Getenv("TESSERA_BENCH_REPORTS_QUICK") != "" {
		return []int{7}
	}
	return []int{1, 7, 30, 90, 365}
}
