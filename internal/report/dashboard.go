package report

import (
	"context"
	"fmt"
	"time"

	"tessera/internal/ticket"
)

// Count is a number of tickets under a key (a status, a priority, a team
// id as text; "" for none).
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// AgentLoad is an agent's availability and open assigned tickets.
type AgentLoad struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Availability string `json:"availability"`
	Open         int    `json:"open"`
}

// Dashboard is the help desk right now.
type Dashboard struct {
	ByStatus     []Count     `json:"by_status"`
	ByPriority   []Count     `json:"by_priority"`
	ByTeam       []Count     `json:"by_team"`
	Unassigned   int         `json:"unassigned"`
	Breached     int         `json:"breached"`
	AtRisk       int         `json:"at_risk"`
	CreatedToday int         `json:"created_today"`
	SolvedToday  int         `json:"solved_today"`
	Agents       []AgentLoad `json:"agents"`
}

// AtRiskWithin is how close to its due time an active SLA clock counts as
// at risk on the dashboard.
const AtRiskWithin = time.Hour

// openCond selects the open tickets (not solved, closed or merged).
const openCond = `t.status_category IN ('new', 'open', 'pending', 'on_hold')`

// Dashboard counts the open tickets and today's volume ("today" in f.Loc).
// Only f's team limits apply; the period is today.
func (s *Service) Dashboard(ctx context.Context, f Filter, now time.Time) (Dashboard, error) {
	var d Dashboard
	scope := Filter{Teams: f.Teams}
	q := s.DB.Read()
	group := func(col string) ([]Count, error) {
		var args []any
		rows, err := q.Query(ctx, `SELECT COALESCE(CAST(`+col+` AS TEXT), ''), COUNT(*) FROM tickets t WHERE `+openCond+scope.where(&args)+` GROUP BY `+col+` ORDER BY 2 DESC, 1`, args...)
		if err != nil {
			return nil, fmt.Errorf("dashboard by %s: %w", col, err)
		}
		defer rows.Close()
		out := []Count{}
		for rows.Next() {
			var c Count
			if err := rows.Scan(&c.Key, &c.N); err != nil {
				return nil, fmt.Errorf("dashboard by %s: %w", col, err)
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
	var err error
	if d.ByStatus, err = group("t.status_category"); err != nil {
		return d, err
	}
	if d.ByPriority, err = group("t.priority"); err != nil {
		return d, err
	}
	if d.ByTeam, err = group("t.team_id"); err != nil {
		return d, err
	}
	count := func(sql string, args ...any) (int, error) {
		var n int
		sql += scope.where(&args)
		if err := q.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("dashboard count: %w", err)
		}
		return n, nil
	}
	if d.Unassigned, err = count(`SELECT COUNT(*) FROM tickets t WHERE ` + openCond + ` AND t.assignee_id IS NULL`); err != nil {
		return d, err
	}
	if d.Breached, err = count(`SELECT COUNT(DISTINCT t.id) FROM tickets t JOIN ticket_sla c ON c.ticket_id = t.id WHERE ` + openCond + ` AND c.state = 'breached'`); err != nil {
		return d, err
	}
	now = now.UTC()
	if d.AtRisk, err = count(`SELECT COUNT(DISTINCT t.id) FROM tickets t JOIN ticket_sla c ON c.ticket_id = t.id WHERE `+openCond+` AND c.state = 'active' AND c.due_at >= $1 AND c.due_at < $2`,
		now, now.Add(AtRiskWithin)); err != nil {
		return d, err
	}
	// Today's volume comes from the same event log as the reports.
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
	}
	y, m, dd := now.In(loc).Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	sum, err := s.Summary(ctx, Filter{From: today, To: today, Loc: loc, Teams: f.Teams, volumeOnly: true})
	if err != nil {
		return d, err
	}
	d.CreatedToday, d.SolvedToday = sum.Created, sum.Solved

	var args []any
	rows, err := q.Query(ctx, `SELECT a.id, a.name, a.availability,
		(SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id AND `+openCond+scope.where(&args)+`)
		FROM agents a WHERE a.active ORDER BY a.name`, args...)
	if err != nil {
		return d, fmt.Errorf("dashboard agents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a AgentLoad
		if err := rows.Scan(&a.ID, &a.Name, &a.Availability, &a.Open); err != nil {
			return d, fmt.Errorf("dashboard agents: %w", err)
		}
		d.Agents = append(d.Agents, a)
	}
	return d, rows.Err()
}

// IsOpen says whether a status category counts as open on the dashboard.
func IsOpen(cat string) bool {
	return cat != ticket.StatusSolved && cat != ticket.StatusClosed
}
