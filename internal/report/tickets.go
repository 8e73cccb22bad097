package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// TicketsCSV writes the tickets created in the period (with the report's
// filters) as CSV, oldest first, one row each with its figures. Rows are
// streamed, so a year of tickets needs no memory to speak of.
func (s *Service) TicketsCSV(ctx context.Context, f Filter, w io.Writer) error {
	start, end := f.Bounds()
	args := []any{start, end}
	rows, err := s.DB.Read().Query(ctx, `SELECT t.number, t.subject, t.status, t.priority, t.channel,
		COALESCE(tm.name, ''), COALESCE(a.name, ''), t.created_at, t.first_reply_at, t.solved_at, COALESCE(r.rating, '')
		FROM tickets t LEFT JOIN teams tm ON tm.id = t.team_id LEFT JOIN agents a ON a.id = t.assignee_id
		LEFT JOIN survey_responses r ON r.ticket_id = t.id
		WHERE t.created_at >= $1 AND t.created_at < $2`+f.where(&args)+` ORDER BY t.created_at, t.id`, args...)
	if err != nil {
		return fmt.Errorf("tickets csv: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	since := func(from time.Time, to *time.Time) string {
		if to == nil {
			return ""
		}
		return strconv.FormatFloat(minutes(to.Sub(from)), 'f', -1, 64)
	}
	if err := cw.Write([]string{"number", "subject", "status", "priority", "channel", "team", "assignee", "created_at", "first_reply_at", "first_reply_minutes", "solved_at", "resolution_minutes", "csat"}); err != nil {
		return fmt.Errorf("tickets csv: %w", err)
	}
	for rows.Next() {
		var number int64
		var subject, status, priority, channel, team, assignee, rating string
		var created time.Time
		var first, solved *time.Time
		if err := rows.Scan(&number, &subject, &status, &priority, &channel, &team, &assignee, &created, &first, &solved, &rating); err != nil {
			return fmt.Errorf("tickets csv: %w", err)
		}
		if err := cw.Write([]string{strconv.FormatInt(number, 10), subject, status, priority, channel, team, assignee,
			stamp(&created), stamp(first), since(created, first), stamp(solved), since(created, solved), rating}); err != nil {
			return fmt.Errorf("tickets csv: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tickets csv: %w", err)
	}
	cw.Flush()
	return cw.Error()
}
