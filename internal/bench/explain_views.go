package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/ticket"
)

// explainViews prints the plans of the statements the ticket service runs
// for the built-in views, as the busiest agent sees them, in the view's own
// sort and in the others, at page 1 and at a deep page; then the time of a
// whole List call for each (statements, tags, clocks, requesters).
func explainViews(ctx context.Context, a *app.App, stdout io.Writer, pages int) error {
	var agentID int64
	err := a.DB.Read().QueryRow(ctx, `SELECT assignee_id FROM tickets WHERE assignee_id IS NOT NULL
		AND status_category IN ('new', 'open', 'pending', 'on_hold') GROUP BY assignee_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&agentID)
	if err != nil {
		return fmt.Errorf("busiest agent: %w", err)
	}
	ag, err := a.People.GetAgent(ctx, agentID)
	if err != nil {
		return err
	}
	busiest := people.ActorOf(ag)
	// The same agent restricted to their first team's tickets.
	restricted := busiest
	restricted.Access, restricted.TeamIDs = auth.AccessTeams, busiest.TeamIDs[:min(1, len(busiest.TeamIDs))]
	var times []timing
	for _, actor := range []auth.Actor{busiest, restricted} {
		t, err := explainViewsOf(ctx, a, stdout, actor, pages)
		if err != nil {
			return err
		}
		times = append(times, t...)
	}
	fmt.Fprintf(stdout, "\n-- whole List calls (best of 3)\n")
	for _, t := range times {
		fmt.Fprintf(stdout, "%-72s %10s %4d tickets\n", t.title, t.best.Round(10*time.Microsecond), t.n)
	}
	return nil
}

type timing struct {
	title string
	best  time.Duration
	n     int
}

func explainViewsOf(ctx context.Context, a *app.App, stdout io.Writer, actor auth.Actor, pages int) ([]timing, error) {
	who := fmt.Sprintf("agent %d", actor.ID)
	if !actor.SeesAllTickets() {
		who += fmt.Sprintf(" restricted to teams %v", actor.TeamIDs)
	}
	fmt.Fprintf(stdout, "-- views of %s (teams %v), pages of 50\n", who, actor.TeamIDs)
	type sorting struct {
		sort string
		asc  bool
	}
	var times []timing
	for _, v := range ticket.BuiltinViews(actor) {
		own := sorting{v.Filter.Sort, v.Filter.Ascending}
		if own.sort == "" {
			own.sort = "updated"
		}
		sorts := []sorting{own}
		for _, s := range []sorting{{"sla", true}, {"priority", false}, {"updated", false}, {"created", false}} {
			if s != own {
				sorts = append(sorts, s)
			}
		}
		for _, so := range sorts {
			for _, deep := range []bool{false, true} {
				f := v.Filter
				f.Sort, f.Ascending, f.Limit = so.sort, so.asc, 50
				page := 1
				if deep {
					for ; page < pages; page++ {
						pg, err := a.Tickets.List(ctx, actor, f)
						if err != nil {
							return nil, err
						}
						if pg.NextCursor == "" {
							break
						}
						f.Cursor = pg.NextCursor
					}
					if page == 1 {
						continue // one page only: page 1 said it all
					}
				}
				title := fmt.Sprintf("%s: view %s, sort %s %s, page %d", who, v.Key, f.Sort, dirWord(f.Ascending), page)
				probe := f
				stmts, err := a.Tickets.ListStatements(ctx, actor, &probe)
				if err != nil {
					return nil, err
				}
				for i, st := range stmts {
					if err := explainOne(ctx, a, stdout, fmt.Sprintf("%s, statement %d of %d", title, i+1, len(stmts)), st.SQL, st.Args...); err != nil {
						return nil, err
					}
				}
				best, n := time.Hour, 0
				for range 3 {
					start := time.Now()
					pg, err := a.Tickets.List(ctx, actor, f)
					if err != nil {
						return nil, err
					}
					best, n = min(best, time.Since(start)), len(pg.Items)
				}
				times = append(times, timing{title, best, n})
			}
		}
	}
	return times, nil
}

func dirWord(asc bool) string {
	if asc {
		return "asc"
	}
	return "desc"
}
