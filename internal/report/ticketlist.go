package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/ticket"
)

// ExportMax caps a ticket list's CSV: enough for any spreadsheet, while one
// export's work stays bounded. A longer list ends with a note row.
const ExportMax = 100_000

// Lister walks a ticket list; ticket.Service implements it.
type Lister interface {
	Export(ctx context.Context, actor auth.Actor, f ticket.Filter, max int, each func(ticket.Ticket) error) (bool, error)
}

// TicketListCSVHeader is the header row of a ticket list's CSV.
var TicketListCSVHeader = []string{"number", "subject", "status", "status_category", "priority", "type", "channel",
	"requester", "requester_email", "team", "assignee", "tags", "created_at", "updated_at", "first_reply_at", "solved_at", "closed_at"}

// TicketListCSV writes the tickets of a list filter (what the actor may
// see, in the list's order) as CSV, streamed page by page, times in loc.
// Past max rows (ExportMax when max <= 0) it stops with a note row saying
// so.
func (s *Service) TicketListCSV(ctx context.Context, tickets Lister, actor auth.Actor, f ticket.Filter, loc *time.Location, max int, w io.Writer) error {
	if max <= 0 {
		max = ExportMax
	}
	if loc == nil {
		loc = time.UTC
	}
	teams, err := s.names(ctx, `SELECT id, name FROM teams`)
	if err != nil {
		return err
	}
	agents, err := s.names(ctx, `SELECT id, name FROM agents`)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(TicketListCSVHeader); err != nil {
		return fmt.Errorf("ticket list csv: %w", err)
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	name := func(m map[int64]string, id *int64) string {
		if id == nil {
			return ""
		}
		return m[*id]
	}
	more, err := tickets.Export(ctx, actor, f, max, func(t ticket.Ticket) error {
		var requester, email string
		if t.Requester != nil {
			requester, email = t.Requester.Name, t.Requester.Email
		}
		return cw.Write([]string{strconv.FormatInt(t.Number, 10), cell(t.Subject), t.Status, t.StatusCategory, t.Priority, t.Type, t.Channel,
			cell(requester), cell(email), cell(name(teams, t.TeamID)), cell(name(agents, t.AssigneeID)), cell(strings.Join(t.Tags, " ")),
			stamp(&t.CreatedAt), stamp(&t.UpdatedAt), stamp(t.FirstReplyAt), stamp(t.SolvedAt), stamp(t.ClosedAt)})
	})
	if err != nil {
		return fmt.Errorf("ticket list csv: %w", err)
	}
	if more {
		if err := cw.Write([]string{fmt.Sprintf("# the export stops at %d tickets: narrow the filter for the rest", max)}); err != nil {
			return fmt.Errorf("ticket list csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from running text a customer wrote as a
// formula: a leading =, +, -, @, tab or carriage return gets a quote mark.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *Service) names(ctx context.Context, query string) (map[int64]string, error) {
	rows, err := s.DB.Read().Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("names: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("names: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}
