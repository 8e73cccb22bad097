// Package report computes the help desk's figures (volumes, reply and
// resolution times, SLA achievement, satisfaction, agent performance,
// busiest hours) from the ticket event log, so a report always agrees with
// the tickets' histories.
//
// Definitions (every count is over events whose time falls in the period):
//   - created: tickets whose "created" event is in the period;
//   - solved: status changes into the solved category from any other;
//   - reopened: status changes from the solved category back to an open one;
//   - backlog: tickets created before the end of the period whose status at
//     the end (replayed from the status events) was not solved or closed;
//   - first reply minutes: from the ticket's creation to its first public
//     agent reply, for first replies in the period;
//   - resolution minutes: from creation to the last solve in the period;
//   - percentiles are nearest-rank: the median of 1,2,3,4 is 2;
//   - SLA achieved rate: metrics achieved / (achieved + breached), each
//     (ticket, metric) counted once, breached if it breached in the period;
//   - one-touch: solved tickets with exactly one public agent reply before
//     the solve; replies per ticket: public agent replies before the solve,
//     averaged over the solved tickets.
//
// Filters apply to the tickets' current team, assignee, organization,
// channel, priority and tags. Times are calendar minutes; days and hours are
// bucketed in the viewer's time zone.
package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// Filter selects the period and the tickets of a report.
type Filter struct {
	// From and To are days in Loc; To is included.
	From, To time.Time
	Loc      *time.Location
	TeamID   *int64
	AgentID  *int64
	OrgID    *int64
	InboxID  *int64
	Channel  string
	Priority string
	Tag      string
	// CalendarID, when set, adds business-hours figures counted on that
	// calendar's hours (calendar minutes are always given).
	CalendarID *int64
	// volumeOnly skips every figure but the event counts (the dashboard
	// needs only today's created and solved).
	volumeOnly bool
	// scan makes the report read the event log even where the summary
	// tables answer (the tests compare the two).
	scan bool
	// Teams, when not nil, limits the report to the tickets of these teams
	// (agents whose access is limited to their teams).
	Teams []int64
}

// Bounds returns the period as instants: the start of From and the start of
// the day after To, in the filter's zone.
func (f Filter) Bounds() (time.Time, time.Time) {
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := f.From.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, loc)
	y, m, d = f.To.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	return start.UTC(), end.UTC()
}

// Stat is a median and a 90th percentile in minutes; nil when there is no
// sample.
type Stat struct {
	Median *float64 `json:"median"`
	P90    *float64 `json:"p90"`
	Count  int      `json:"count"`
}

// SLAMetric is the achievement of one SLA metric.
type SLAMetric struct {
	Metric   string   `json:"metric"`
	Priority string   `json:"priority,omitempty"`
	Achieved int      `json:"achieved"`
	Breached int      `json:"breached"`
	Rate     *float64 `json:"rate"`
}

// CSAT sums the satisfaction answers given in the period.
type CSAT struct {
	Good  int      `json:"good"`
	Bad   int      `json:"bad"`
	Score *float64 `json:"score"` // percent good
}

// Day is one day's volume.
type Day struct {
	Date    string `json:"date"`
	Created int    `json:"created"`
	Solved  int    `json:"solved"`
}

// Agent is one agent's performance in the period.
type Agent struct {
	ID               int64    `json:"id"`
	Name             string   `json:"name"`
	Solved           int      `json:"solved"`
	Replies          int      `json:"replies"`
	FirstReplyMedian *float64 `json:"first_reply_median_minutes"`
	CSATGood         int      `json:"csat_good"`
	CSATBad          int      `json:"csat_bad"`
}

// Summary is every figure of a period.
type Summary struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Created    int    `json:"created"`
	Solved     int    `json:"solved"`
	Reopened   int    `json:"reopened"`
	Backlog    int    `json:"backlog"`
	FirstReply Stat   `json:"first_reply_minutes"`
	Resolution Stat   `json:"resolution_minutes"`
	// The same in business minutes of the calendar asked for (calendar_id);
	// null figures without one.
	FirstReplyBusiness Stat        `json:"first_reply_business_minutes"`
	ResolutionBusiness Stat        `json:"resolution_business_minutes"`
	SLAAchievedRate    *float64    `json:"sla_achieved_rate"`
	SLA                []SLAMetric `json:"sla"`
	// SLAByPriority splits SLA by the tickets' priority.
	SLAByPriority    []SLAMetric `json:"sla_by_priority"`
	OneTouchRate     *float64    `json:"one_touch_rate"`
	RepliesPerTicket *float64    `json:"replies_per_ticket"`
	CSAT             CSAT        `json:"csat"`
	Days             []Day       `json:"days"`
	Agents           []Agent     `json:"agents"`
	// Hours counts tickets created by weekday (0 = Sunday) and hour.
	Hours [7][24]int `json:"busiest_hours"`
	// TopTags are the commonest tags of the tickets created in the period.
	TopTags []Count `json:"top_tags"`
	// Comments are the latest satisfaction comments of the period.
	Comments []Comment `json:"csat_comments"`
}

// Comment is a customer's satisfaction comment.
type Comment struct {
	TicketID  int64     `json:"ticket_id"`
	Number    int64     `json:"number"`
	Rating    string    `json:"rating"`
	Comment   string    `json:"comment"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TopTagsLimit and CommentsLimit bound those lists.
const (
	TopTagsLimit  = 10
	CommentsLimit = 20
)

// Service computes reports.
type Service struct {
	DB *store.DB
}

// where builds the ticket filter on alias t, numbering arguments after
// those already in args.
func (f Filter) where(args *[]any) string { return f.conditions("t.", args, true) }

// conditions builds the filter on columns named with prefix: the tickets'
// (all of it) or the summary's filed values (without organization and
// tag, which the summary does not hold: such reports read the tickets).
func (f Filter) conditions(prefix string, args *[]any, tickets bool) string {
	var b strings.Builder
	add := func(cond string, v any) {
		*args = append(*args, v)
		fmt.Fprintf(&b, " AND "+prefix+cond, len(*args))
	}
	if f.TeamID != nil {
		add("team_id = $%d", *f.TeamID)
	}
	if f.AgentID != nil {
		add("assignee_id = $%d", *f.AgentID)
	}
	if tickets && f.OrgID != nil {
		add("organization_id = $%d", *f.OrgID)
	}
	if f.InboxID != nil {
		add("inbox_id = $%d", *f.InboxID)
	}
	if f.Channel != "" {
		add("channel = $%d", f.Channel)
	}
	if f.Priority != "" {
		add("priority = $%d", f.Priority)
	}
	if tickets && f.Tag != "" {
		*args = append(*args, f.Tag)
		fmt.Fprintf(&b, " AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = %sid AND tt.tag = $%d)", prefix, len(*args))
	}
	if f.Teams != nil {
		if len(f.Teams) == 0 {
			b.WriteString(" AND 1 = 0")
		} else {
			ph := make([]string, len(f.Teams))
			for i, id := range f.Teams {
				*args = append(*args, id)
				ph[i] = fmt.Sprintf("$%d", len(*args))
			}
			b.WriteString(" AND " + prefix + "team_id IN (" + strings.Join(ph, ", ") + ")")
		}
	}
	return b.String()
}

type ev struct {
	ticketID  int64
	typ       string
	actorKind string
	actorID   *int64
	field     string
	old, new  string
	at        time.Time
	created   time.Time
	priority  string
}

// phase, when set (by the timing test), hears how long each step took.
var phase func(name string, d time.Duration)

func mark(name string, start *time.Time) {
	if phase != nil {
		phase(name, time.Since(*start))
	}
	*start = time.Now()
}

// Summary computes every figure of the period.
func (s *Service) Summary(ctx context.Context, f Filter) (Summary, error) {
	t0 := time.Now()
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
		f.Loc = loc
	}
	start, end := f.Bounds()
	out := Summary{From: f.From.Format(time.DateOnly), To: f.To.Format(time.DateOnly), SLA: []SLAMetric{}, SLAByPriority: []SLAMetric{}, Days: []Day{}, Agents: []Agent{},
		TopTags: []Count{}, Comments: []Comment{}}
	cats, err := s.categories(ctx)
	if err != nil {
		return out, err
	}
	for d := start.In(loc); d.Before(end); d = d.AddDate(0, 0, 1) {
		out.Days = append(out.Days, Day{Date: d.Format(time.DateOnly)})
	}
	agents := map[int64]*Agent{}
	agent := func(id int64) *Agent {
		a := agents[id]
		if a == nil {
			a = &Agent{ID: id}
			agents[id] = a
		}
		return a
	}
	fast, err := s.summaryAnswers(ctx, f, start, end)
	if err != nil {
		return out, err
	}
	if fast {
		var rolled bool
		if rolled, err = s.fromRollups(ctx, f, start, end, &out, agent); err == nil && !rolled {
			err = s.fromSummary(ctx, f, start, end, &out, agent)
		}
	} else {
		err = s.scan(ctx, f, start, end, cats, &out, agent)
	}
	if err != nil || f.volumeOnly {
		return out, err
	}
	mark("figures", &t0)

	// Backlog at the end of the period.
	if out.Backlog, err = s.backlog(ctx, f, end, cats); err != nil {
		return out, err
	}
	mark("backlog", &t0)

	// Satisfaction.
	if err := s.csat(ctx, f, start, end, &out.CSAT, agent); err != nil {
		return out, err
	}
	mark("csat", &t0)
	if err := s.comments(ctx, f, start, end, &out); err != nil {
		return out, err
	}
	mark("comments", &t0)
	if err := s.agentNames(ctx, agents); err != nil {
		return out, err
	}
	for _, a := range agents {
		out.Agents = append(out.Agents, *a)
	}
	slices.SortFunc(out.Agents, func(a, b Agent) int {
		if a.Solved != b.Solved {
			return b.Solved - a.Solved
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// scan computes the figures from the period's events (the definition the
// summary tables are checked against, and the path for what they do not
// answer: tag and organization filters, business hours, zones off the
// whole hour).
func (s *Service) scan(ctx context.Context, f Filter, start, end time.Time, cats map[string]string, out *Summary, agent func(int64) *Agent) error {
	t0 := time.Now()
	loc := f.Loc
	q := s.DB.Read()
	args := []any{start, end}
	rows, err := q.Query(ctx, `SELECT e.ticket_id, e.type, e.actor_kind, e.actor_id, e.field, e.old_value, e.new_value, e.created_at, t.created_at, t.priority
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.created_at >= $1 AND e.created_at < $2
		AND (e.type IN ('created', 'reply_added', 'sla_state_changed', 'sla_breached')
			OR (e.type = 'field_changed' AND e.field IN ('status', 'first_reply_at')))`+f.where(&args)+`
		ORDER BY e.id`, args...)
	if err != nil {
		return fmt.Errorf("report events: %w", err)
	}
	var evs []ev
	for rows.Next() {
		var e ev
		if err := rows.Scan(&e.ticketID, &e.typ, &e.actorKind, &e.actorID, &e.field, &e.old, &e.new, &e.at, &e.created, &e.priority); err != nil {
			rows.Close()
			return fmt.Errorf("report events: %w", err)
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report events: %w", err)
	}

	mark("events", &t0)
	days := map[string]*Day{}
	for _, d := range out.Days {
		days[d.Date] = &Day{Date: d.Date}
	}
	var cal *sla.Calendar
	if f.CalendarID != nil {
		c, err := (&clocks.Service{DB: s.DB}).GetCalendar(ctx, *f.CalendarID)
		if err != nil {
			return err
		}
		if cal, err = (clocks.CalendarInput{Name: c.Name, TimeZone: c.TimeZone, Hours: c.Hours, Holidays: c.Holidays}).Build(); err != nil {
			return fmt.Errorf("calendar %d: %w", c.ID, err)
		}
	}
	business := func(from, to time.Time) float64 { return minutes(cal.Between(from, to)) }
	var firstReplies, firstBusiness []float64
	resolutionBusiness := map[int64]float64{}
	agentFirst := map[int64][]float64{}
	solvedAt := map[int64]time.Time{} // last solve in the period
	resolution := map[int64]float64{}
	type slaKey struct {
		ticket   int64
		metric   string
		priority string
	}
	slaOutcome := map[slaKey]string{}
	var slaOrder []slaKey
	for _, e := range evs {
		day := days[e.at.In(loc).Format(time.DateOnly)]
		switch {
		case e.typ == ticket.EventCreated:
			out.Created++
			if day != nil {
				day.Created++
			}
			lt := e.at.In(loc)
			out.Hours[lt.Weekday()][lt.Hour()]++
		case e.typ == ticket.EventReply && e.actorKind == "agent" && e.actorID != nil:
			agent(*e.actorID).Replies++
		case e.typ == ticket.EventField && e.field == "status":
			oldCat, newCat := cats[e.old], cats[e.new]
			switch {
			case newCat == ticket.StatusSolved && oldCat != ticket.StatusSolved:
				out.Solved++
				if day != nil {
					day.Solved++
				}
				solvedAt[e.ticketID] = e.at
				resolution[e.ticketID] = minutes(e.at.Sub(e.created))
				if cal != nil {
					resolutionBusiness[e.ticketID] = business(e.created, e.at)
				}
				if e.actorKind == "agent" && e.actorID != nil {
					agent(*e.actorID).Solved++
				}
			case oldCat == ticket.StatusSolved && newCat != ticket.StatusSolved && newCat != ticket.StatusClosed:
				out.Reopened++
			}
		case e.typ == ticket.EventField && e.field == "first_reply_at":
			m := minutes(e.at.Sub(e.created))
			firstReplies = append(firstReplies, m)
			if cal != nil {
				firstBusiness = append(firstBusiness, business(e.created, e.at))
			}
			if e.actorID != nil {
				agentFirst[*e.actorID] = append(agentFirst[*e.actorID], m)
				agent(*e.actorID)
			}
		case e.typ == ticket.EventSLA || e.typ == ticket.EventSLABreached:
			k := slaKey{e.ticketID, strings.TrimPrefix(e.field, "sla."), e.priority}
			prev, seen := slaOutcome[k]
			if !seen {
				slaOrder = append(slaOrder, k)
			}
			switch {
			case e.new == "breached":
				slaOutcome[k] = "breached"
			case e.new == "achieved" && prev != "breached":
				slaOutcome[k] = "achieved"
			case !seen:
				slaOutcome[k] = ""
			}
		}
	}
	for i := range out.Days {
		out.Days[i] = *days[out.Days[i].Date]
	}
	out.FirstReply = stat(firstReplies)
	res := make([]float64, 0, len(resolution))
	for _, m := range resolution {
		res = append(res, m)
	}
	out.Resolution = stat(res)
	out.FirstReplyBusiness = stat(firstBusiness)
	res = res[:0]
	for _, m := range resolutionBusiness {
		res = append(res, m)
	}
	out.ResolutionBusiness = stat(res)

	// SLA per metric.
	perMetric := map[string]*SLAMetric{}
	var achieved, breached int
	for _, k := range slaOrder {
		o := slaOutcome[k]
		if o == "" {
			continue
		}
		m := perMetric[k.metric]
		if m == nil {
			m = &SLAMetric{Metric: k.metric}
			perMetric[k.metric] = m
		}
		if o == "achieved" {
			m.Achieved++
			achieved++
		} else {
			m.Breached++
			breached++
		}
	}
	perPriority := map[[2]string]*SLAMetric{}
	for _, k := range slaOrder {
		o := slaOutcome[k]
		if o == "" {
			continue
		}
		pk := [2]string{k.metric, k.priority}
		m := perPriority[pk]
		if m == nil {
			m = &SLAMetric{Metric: k.metric, Priority: k.priority}
			perPriority[pk] = m
		}
		if o == "achieved" {
			m.Achieved++
		} else {
			m.Breached++
		}
	}
	out.SLA, out.SLAByPriority = slaLists(perMetric, perPriority)
	out.SLAAchievedRate = ratio(achieved, achieved+breached)

	if f.volumeOnly {
		return nil
	}
	// Replies before each solve, for one-touch and replies per ticket.
	if len(solvedAt) > 0 {
		mark("fold", &t0)
		replies, err := s.repliesBefore(ctx, f, start, end, cats)
		if err != nil {
			return err
		}
		mark("replies", &t0)
		oneTouch, total := 0, 0
		for id := range solvedAt {
			total += replies[id]
			if replies[id] == 1 {
				oneTouch++
			}
		}
		out.OneTouchRate = ratio(oneTouch, len(solvedAt))
		avg := math.Round(float64(total)/float64(len(solvedAt))*100) / 100
		out.RepliesPerTicket = &avg
	}
	for id, ms := range agentFirst {
		agent(id).FirstReplyMedian = stat(ms).Median
	}
	return s.topTags(ctx, f, start, end, out)
}

// slaLists orders the SLA figures by metric, then priority.
func slaLists(perMetric map[string]*SLAMetric, perPriority map[[2]string]*SLAMetric) ([]SLAMetric, []SLAMetric) {
	byMetric, byPriority := []SLAMetric{}, []SLAMetric{}
	for _, m := range perMetric {
		m.Rate = ratio(m.Achieved, m.Achieved+m.Breached)
		byMetric = append(byMetric, *m)
	}
	slices.SortFunc(byMetric, func(a, b SLAMetric) int { return strings.Compare(a.Metric, b.Metric) })
	for _, m := range perPriority {
		m.Rate = ratio(m.Achieved, m.Achieved+m.Breached)
		byPriority = append(byPriority, *m)
	}
	slices.SortFunc(byPriority, func(a, b SLAMetric) int {
		if c := strings.Compare(a.Metric, b.Metric); c != 0 {
			return c
		}
		return slices.Index(ticket.Priorities, a.Priority) - slices.Index(ticket.Priorities, b.Priority)
	})
	return byMetric, byPriority
}

func (s *Service) categories(ctx context.Context) (map[string]string, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT key, category FROM statuses`)
	if err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return nil, fmt.Errorf("statuses: %w", err)
		}
		out[k] = c
	}
	return out, rows.Err()
}

// repliesBefore counts each solved ticket's public agent replies up to its
// last solve in the period, in one aggregate query (the solves are found
// again by the same definition as in Summary).
func (s *Service) repliesBefore(ctx context.Context, f Filter, start, end time.Time, cats map[string]string) (map[int64]int, error) {
	var solvedKeys []string
	for k, c := range cats {
		if c == ticket.StatusSolved {
			solvedKeys = append(solvedKeys, k)
		}
	}
	slices.Sort(solvedKeys)
	args := []any{start, end}
	ph := make([]string, len(solvedKeys))
	for i, k := range solvedKeys {
		args = append(args, k)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	in := strings.Join(ph, ", ")
	rows, err := s.DB.Read().Query(ctx, `SELECT r.ticket_id, COUNT(*) FROM ticket_events r
		JOIN (SELECT e.ticket_id, MAX(e.created_at) AS solved_at FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
			WHERE e.type = 'field_changed' AND e.field = 'status' AND e.created_at >= $1 AND e.created_at < $2
			AND e.new_value IN (`+in+`) AND e.old_value NOT IN (`+in+`)`+f.where(&args)+`
			GROUP BY e.ticket_id) s ON s.ticket_id = r.ticket_id
		WHERE r.type = 'reply_added' AND r.actor_kind = 'agent' AND r.created_at <= s.solved_at
		GROUP BY r.ticket_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("replies: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("replies: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// backlog counts the tickets open at end. Every status change also moves
// updated_at, so a ticket last updated before end was then in the status
// it has now: those are counted from the tickets table by index. Only the
// tickets updated since end (few, for a recent period) are replayed from
// their last status event before end (or the status they were created
// with).
func (s *Service) backlog(ctx context.Context, f Filter, end time.Time, cats map[string]string) (int, error) {
	args := []any{end}
	var n int
	// The same conditions with the team and assignee written +t.team_id:
	// SQLite then counts in the covering index tickets_backlog instead of
	// walking the team's open tickets' rows by tickets_team_status_updated.
	w := strings.NewReplacer("t.team_id", "+t.team_id", "t.assignee_id", "+t.assignee_id").Replace(f.where(&args))
	if err := s.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM tickets t
		WHERE t.status_category IN ('new', 'open', 'pending', 'on_hold') AND t.updated_at < $1`+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("backlog: %w", err)
	}
	args = []any{end}
	rows, err := s.DB.Read().Query(ctx, `SELECT t.id,
		COALESCE((SELECT e.new_value FROM ticket_events e WHERE e.ticket_id = t.id AND e.created_at < $1
			AND ((e.type = 'field_changed' AND e.field = 'status') OR e.type = 'created') ORDER BY e.id DESC LIMIT 1), '')
		FROM tickets t WHERE t.updated_at >= $1 AND t.created_at < $1 AND (t.closed_at IS NULL OR t.closed_at >= $1)`+f.where(&args), args...)
	if err != nil {
		return 0, fmt.Errorf("backlog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			return 0, fmt.Errorf("backlog: %w", err)
		}
		if c := cats[status]; c != "" && c != ticket.StatusSolved && c != ticket.StatusClosed {
			n++
		}
	}
	return n, rows.Err()
}

func (s *Service) csat(ctx context.Context, f Filter, start, end time.Time, out *CSAT, agent func(int64) *Agent) error {
	args := []any{start, end}
	rows, err := s.DB.Read().Query(ctx, `SELECT r.agent_id, r.rating FROM survey_responses r JOIN tickets t ON t.id = r.ticket_id
		WHERE r.updated_at >= $1 AND r.updated_at < $2`+f.where(&args), args...)
	if err != nil {
		return fmt.Errorf("csat: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var agentID *int64
		var rating string
		if err := rows.Scan(&agentID, &rating); err != nil {
			return fmt.Errorf("csat: %w", err)
		}
		good := rating == "good"
		if good {
			out.Good++
		} else {
			out.Bad++
		}
		if agentID != nil {
			if good {
				agent(*agentID).CSATGood++
			} else {
				agent(*agentID).CSATBad++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("csat: %w", err)
	}
	if r := ratio(out.Good, out.Good+out.Bad); r != nil {
		v := math.Round(*r*10000) / 100
		out.Score = &v
	}
	return nil
}

func (s *Service) agentNames(ctx context.Context, agents map[int64]*Agent) error {
	if len(agents) == 0 {
		return nil
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT id, name FROM agents`)
	if err != nil {
		return fmt.Errorf("agent names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("agent names: %w", err)
		}
		if a := agents[id]; a != nil {
			a.Name = name
		}
	}
	return rows.Err()
}

func minutes(d time.Duration) float64 {
	return math.Round(d.Minutes()*100) / 100
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := math.Round(float64(n)/float64(d)*10000) / 10000
	return &v
}

// stat returns the nearest-rank median and 90th percentile.
func stat(xs []float64) Stat {
	st := Stat{Count: len(xs)}
	if len(xs) == 0 {
		return st
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := func(p float64) *float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		v := s[max(i, 0)]
		return &v
	}
	st.Median, st.P90 = rank(0.5), rank(0.9)
	return st
}

func (s *Service) topTags(ctx context.Context, f Filter, start, end time.Time, out *Summary) error {
	args := []any{start, end}
	rows, err := s.DB.Read().Query(ctx, `SELECT tt.tag, COUNT(*) FROM ticket_tags tt JOIN tickets t ON t.id = tt.ticket_id
		WHERE t.created_at >= $1 AND t.created_at < $2`+f.where(&args)+` GROUP BY tt.tag ORDER BY 2 DESC, 1 LIMIT `+fmt.Sprint(TopTagsLimit), args...)
	if err != nil {
		return fmt.Errorf("top tags: %w", err)
	}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.N); err != nil {
			rows.Close()
			return fmt.Errorf("top tags: %w", err)
		}
		out.TopTags = append(out.TopTags, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("top tags: %w", err)
	}
	return nil
}

func (s *Service) comments(ctx context.Context, f Filter, start, end time.Time, out *Summary) error {
	args := []any{start, end}
	rows, err := s.DB.Read().Query(ctx, `SELECT t.id, t.number, r.rating, r.comment, r.updated_at FROM survey_responses r JOIN tickets t ON t.id = r.ticket_id
		WHERE r.updated_at >= $1 AND r.updated_at < $2 AND r.comment <> ''`+f.where(&args)+` ORDER BY r.updated_at DESC, t.id DESC LIMIT `+fmt.Sprint(CommentsLimit), args...)
	if err != nil {
		return fmt.Errorf("csat comments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.TicketID, &c.Number, &c.Rating, &c.Comment, &c.UpdatedAt); err != nil {
			return fmt.Errorf("csat comments: %w", err)
		}
		out.Comments = append(out.Comments, c)
	}
	return rows.Err()
}
