package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"time"

	"tessera/internal/auth"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// MaxDays bounds a report's period: a year and a day, enough for any
// yearly comparison while keeping one report's work bounded.
const MaxDays = 366

// ParseFilter reads a report's period and filters from a query (from, to
// as YYYY-MM-DD; team_id, agent_id, organization_id, inbox_id, channel,
// priority, tag), in the viewer's zone. Without dates the period is the last 7 days
// up to today.
func ParseFilter(q url.Values, loc *time.Location, today time.Time) (Filter, error) {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := today.In(loc).Date()
	f := Filter{Loc: loc, To: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	f.From = f.To.AddDate(0, 0, -6)
	c := validation.Collector{}
	date := func(name string, dst *time.Time) {
		v := q.Get(name)
		if v == "" {
			return
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			c.Add(name, "must be a date as YYYY-MM-DD")
			return
		}
		*dst = t
	}
	date("from", &f.From)
	date("to", &f.To)
	if c.Err() == nil {
		if f.To.Before(f.From) {
			c.Add("to", "must not be before from")
		} else if f.To.Sub(f.From) > (MaxDays-1)*24*time.Hour {
			c.Add("to", "the period is at most %d days", MaxDays)
		}
	}
	id := func(name string) *int64 {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			c.Add(name, "must be a positive integer")
			return nil
		}
		return &n
	}
	f.TeamID, f.AgentID, f.OrgID, f.InboxID = id("team_id"), id("agent_id"), id("organization_id"), id("inbox_id")
	f.CalendarID = id("calendar_id")
	f.Channel, f.Priority, f.Tag = q.Get("channel"), q.Get("priority"), q.Get("tag")
	if f.Channel != "" && !slices.Contains(ticket.Channels, f.Channel) {
		c.Add("channel", "must be one of the channels")
	}
	if f.Priority != "" && !slices.Contains(ticket.Priorities, f.Priority) {
		c.Add("priority", "must be urgent, high, normal or low")
	}
	return f, c.Err()
}

// Scope decides who may read reports: admins and agents (light agents,
// who only collaborate, do not), and an agent whose access is limited to
// their teams sees only their teams' figures.
func Scope(a auth.Actor, f Filter) (Filter, error) {
	if !a.CanEditTickets() || a.Kind == auth.KindContact {
		return f, fmt.Errorf("%w: reports are for admins and agents", auth.ErrForbidden)
	}
	if !a.SeesAllTickets() {
		f.Teams = append([]int64{}, a.TeamIDs...)
	}
	return f, nil
}

func num(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// WriteCSV writes the summary as CSV: one section per table, each with its
// header row, separated by an empty line, so a spreadsheet opens it as is.
func (s Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	i := strconv.Itoa
	rows := [][]string{
		{"metric", "value"},
		{"from", s.From}, {"to", s.To},
		{"created", i(s.Created)}, {"solved", i(s.Solved)}, {"reopened", i(s.Reopened)}, {"backlog", i(s.Backlog)},
		{"first_reply_minutes_median", num(s.FirstReply.Median)}, {"first_reply_minutes_p90", num(s.FirstReply.P90)},
		{"resolution_minutes_median", num(s.Resolution.Median)}, {"resolution_minutes_p90", num(s.Resolution.P90)},
		{"first_reply_business_minutes_median", num(s.FirstReplyBusiness.Median)}, {"first_reply_business_minutes_p90", num(s.FirstReplyBusiness.P90)},
		{"resolution_business_minutes_median", num(s.ResolutionBusiness.Median)}, {"resolution_business_minutes_p90", num(s.ResolutionBusiness.P90)},
		{"sla_achieved_rate", num(s.SLAAchievedRate)}, {"one_touch_rate", num(s.OneTouchRate)}, {"replies_per_ticket", num(s.RepliesPerTicket)},
		{"csat_good", i(s.CSAT.Good)}, {"csat_bad", i(s.CSAT.Bad)}, {"csat_score", num(s.CSAT.Score)},
		{},
		{"date", "created", "solved"},
	}
	for _, d := range s.Days {
		rows = append(rows, []string{d.Date, i(d.Created), i(d.Solved)})
	}
	rows = append(rows, []string{}, []string{"sla_metric", "achieved", "breached", "rate"})
	for _, m := range s.SLA {
		rows = append(rows, []string{m.Metric, i(m.Achieved), i(m.Breached), num(m.Rate)})
	}
	rows = append(rows, []string{}, []string{"sla_metric", "priority", "achieved", "breached", "rate"})
	for _, m := range s.SLAByPriority {
		rows = append(rows, []string{m.Metric, m.Priority, i(m.Achieved), i(m.Breached), num(m.Rate)})
	}
	rows = append(rows, []string{}, []string{"agent_id", "agent", "solved", "replies", "first_reply_median_minutes", "csat_good", "csat_bad"})
	for _, a := range s.Agents {
		rows = append(rows, []string{strconv.FormatInt(a.ID, 10), a.Name, i(a.Solved), i(a.Replies), num(a.FirstReplyMedian), i(a.CSATGood), i(a.CSATBad)})
	}
	rows = append(rows, []string{}, []string{"tag", "tickets"})
	for _, c := range s.TopTags {
		rows = append(rows, []string{c.Key, i(c.N)})
	}
	rows = append(rows, []string{}, []string{"ticket_number", "rating", "comment"})
	for _, c := range s.Comments {
		rows = append(rows, []string{strconv.FormatInt(c.Number, 10), c.Rating, c.Comment})
	}
	rows = append(rows, []string{}, []string{"weekday", "hour", "created"})
	for wd, hs := range s.Hours {
		for h, n := range hs {
			if n > 0 {
				rows = append(rows, []string{time.Weekday(wd).String(), i(h), i(n)})
			}
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
