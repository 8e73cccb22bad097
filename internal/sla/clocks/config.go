// Package clocks keeps the SLA clocks of tickets in the database: the
// calendars and policies admins define, and, for every ticket a policy
// covers, where each metric stands. The arithmetic is package sla's; this
// package loads its inputs and stores its results.
package clocks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/sla"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// Service manages calendars, policies and ticket clocks.
type Service struct {
	DB    *store.DB
	cache configCache
}

// Days names the weekdays as the API spells them, Sunday first.
var Days = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Holiday is a day off: a single date, written "2026-12-25", or a date
// that recurs every year, written {"month": 1, "day": 1}. Either form may
// also be an object with a "name" ({"date": "2026-12-25", "name": "Natal"}).
type Holiday struct {
	Date  string `json:"date,omitempty"`
	Month int    `json:"month,omitempty"`
	Day   int    `json:"day,omitempty"`
	Name  string `json:"name,omitempty"`
}

// UnmarshalJSON accepts a date string or an object.
func (h *Holiday) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*h = Holiday{Date: s}
		return nil
	}
	type plain Holiday
	var p plain
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("a holiday is \"YYYY-MM-DD\" or {\"month\": M, \"day\": D}: %w", err)
	}
	*h = Holiday(p)
	return nil
}

// MarshalJSON writes a plain single date as a string, as it was given.
func (h Holiday) MarshalJSON() ([]byte, error) {
	if h.Date != "" && h.Name == "" {
		return json.Marshal(h.Date)
	}
	type plain Holiday
	return json.Marshal(plain(h))
}

// OpenAPISchema describes the two forms for the API document.
func (Holiday) OpenAPISchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "string", "format": "date"},
		map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
			"date": map[string]any{"type": "string", "format": "date"}, "month": map[string]any{"type": "integer"},
			"day": map[string]any{"type": "integer"}, "name": map[string]any{"type": "string"}}},
	}}
}

// Calendar is a business-hours calendar as the API shows it.
type Calendar struct {
	ID        int64                 `json:"id"`
	Name      string                `json:"name"`
	TimeZone  string                `json:"time_zone"`
	Hours     map[string][][]string `json:"hours"` // "mon" → [["09:00","12:00"], ["13:00","18:00"]]
	Holidays  []Holiday             `json:"holidays"`
	CreatedAt time.Time             `json:"created_at"`
	UpdatedAt time.Time             `json:"updated_at"`
}

// CalendarInput creates or replaces a calendar. Hours maps a day (sun, mon,
// tue, wed, thu, fri, sat) to intervals ["09:00","18:00"]; ["00:00","24:00"]
// is the whole day and ["22:00","06:00"] runs overnight.
type CalendarInput struct {
	Name     string                `json:"name"`
	TimeZone string                `json:"time_zone"`
	Hours    map[string][][]string `json:"hours"`
	Holidays []Holiday             `json:"holidays,omitempty"`
}

func parseClock(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Build turns the API form of a calendar into sla.Calendar, naming the
// wrong field if any.
func (in CalendarInput) Build() (*sla.Calendar, error) {
	var c validation.Collector
	name := strings.TrimSpace(in.Name)
	c.Text("name", name, 100, true)
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil || in.TimeZone == "" || in.TimeZone == "Local" {
		c.Add("time_zone", "must be an IANA time zone such as America/Sao_Paulo or Asia/Jerusalem")
		loc = time.UTC
	}
	cal := &sla.Calendar{Name: name, Location: loc}
	for day, ivs := range in.Hours {
		d := slices.Index(Days, strings.ToLower(day))
		if d < 0 {
			c.Add("hours."+day, "is not a day (sun, mon, tue, wed, thu, fri, sat)")
			continue
		}
		for _, iv := range ivs {
			if len(iv) != 2 {
				c.Add("hours."+day, "%q is not an interval such as [\"09:00\", \"18:00\"]", iv)
				continue
			}
			start, ok1 := parseClock(iv[0])
			end, ok2 := parseClock(iv[1])
			if !ok1 || !ok2 || start == 1440 || (end == 0 && start == 0) {
				c.Add("hours."+day, "%q is not an interval such as [\"09:00\", \"18:00\"]", iv)
				continue
			}
			if end == 0 {
				end = 1440
			}
			cal.Week[d] = append(cal.Week[d], sla.Interval{Start: start, End: end})
		}
	}
	for i, h := range in.Holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		switch {
		case h.Date != "" && h.Month == 0 && h.Day == 0:
			dt, err := time.Parse("2006-01-02", h.Date)
			if err != nil {
				c.Add(field, "must be a date as YYYY-MM-DD")
				continue
			}
			cal.Holidays = append(cal.Holidays, sla.Holiday{Year: dt.Year(), Month: dt.Month(), Day: dt.Day(), Name: h.Name})
		case h.Date == "" && h.Month >= 1 && h.Month <= 12 && h.Day >= 1 && h.Day <= 31 &&
			time.Date(2024, time.Month(h.Month), h.Day, 0, 0, 0, 0, time.UTC).Day() == h.Day: // 2024 has a 29 February
			cal.Holidays = append(cal.Holidays, sla.Holiday{Month: time.Month(h.Month), Day: h.Day, Name: h.Name})
		default:
			c.Add(field, "must be a date \"YYYY-MM-DD\" or a yearly {\"month\": 1-12, \"day\": 1-31}")
		}
	}
	open := false
	for _, ivs := range cal.Week {
		open = open || len(ivs) > 0
	}
	if !open && len(in.Hours) == 0 {
		c.Add("hours", "must give at least one day with business hours")
	} else if !open {
		c.Add("hours", "must give at least one interval")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if err := cal.Validate(); err != nil {
		return nil, validation.Field("hours", "%s", err.Error())
	}
	return cal, nil
}

// CreateCalendar adds a calendar (admins only).
func (s *Service) CreateCalendar(ctx context.Context, actor auth.Actor, in CalendarInput) (Calendar, error) {
	return s.saveCalendar(ctx, actor, 0, in)
}

// UpdateCalendar replaces a calendar's definition (admins only); the clocks
// of the tickets it governs are recomputed by the next change or check.
func (s *Service) UpdateCalendar(ctx context.Context, actor auth.Actor, id int64, in CalendarInput) (Calendar, error) {
	return s.saveCalendar(ctx, actor, id, in)
}

func (s *Service) saveCalendar(ctx context.Context, actor auth.Actor, id int64, in CalendarInput) (Calendar, error) {
	if !actor.IsAdmin() {
		return Calendar{}, auth.Forbidden("only admins manage calendars")
	}
	if _, err := in.Build(); err != nil {
		return Calendar{}, err
	}
	if in.Holidays == nil {
		in.Holidays = []Holiday{}
	}
	if in.Hours == nil {
		in.Hours = map[string][][]string{}
	}
	week, _ := json.Marshal(in.Hours)
	hol, _ := json.Marshal(in.Holidays)
	now := store.Now()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if id == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO calendars (name, time_zone, week, holidays, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
				strings.TrimSpace(in.Name), in.TimeZone, string(week), string(hol), now).Scan(&id)
		} else {
			var n int64
			n, err = tx.Exec(ctx, `UPDATE calendars SET name = $2, time_zone = $3, week = $4, holidays = $5, updated_at = $6 WHERE id = $1`,
				id, strings.TrimSpace(in.Name), in.TimeZone, string(week), string(hol), now)
			if err == nil && n == 0 {
				return fmt.Errorf("calendar %d: %w", id, store.ErrNotFound)
			}
		}
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("name", "a calendar with this name already exists")
		}
		if err != nil {
			return fmt.Errorf("save calendar: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "calendar.save", fmt.Sprintf("calendar:%d", id), in.Name)
	})
	if err != nil {
		return Calendar{}, err
	}
	return s.GetCalendar(ctx, id)
}

func scanCalendar(r store.Row) (Calendar, error) {
	var c Calendar
	var week, hol string
	if err := r.Scan(&c.ID, &c.Name, &c.TimeZone, &week, &hol, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return Calendar{}, err
	}
	if err := json.Unmarshal([]byte(week), &c.Hours); err != nil {
		return Calendar{}, fmt.Errorf("calendar %d week: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(hol), &c.Holidays); err != nil {
		return Calendar{}, fmt.Errorf("calendar %d holidays: %w", c.ID, err)
	}
	return c, nil
}

const calendarCols = `id, name, time_zone, week, holidays, created_at, updated_at`

// GetCalendar returns one calendar.
func (s *Service) GetCalendar(ctx context.Context, id int64) (Calendar, error) {
	c, err := scanCalendar(s.DB.Read().QueryRow(ctx, `SELECT `+calendarCols+` FROM calendars WHERE id = $1`, id))
	if err != nil {
		return Calendar{}, fmt.Errorf("calendar %d: %w", id, err)
	}
	return c, nil
}

// Calendars lists every calendar.
func (s *Service) Calendars(ctx context.Context) ([]Calendar, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT `+calendarCols+` FROM calendars ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("calendars: %w", err)
	}
	defer rows.Close()
	out := []Calendar{}
	for rows.Next() {
		c, err := scanCalendar(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func loadCalendar(ctx context.Context, q store.Querier, id int64) (*sla.Calendar, error) {
	c, err := scanCalendar(q.QueryRow(ctx, `SELECT `+calendarCols+` FROM calendars WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("calendar %d: %w", id, err)
	}
	return CalendarInput{Name: c.Name, TimeZone: c.TimeZone, Hours: c.Hours, Holidays: c.Holidays}.Build()
}

// Duration is a target written as "30m", "1h", "4h", "1h30m" or "3d".
type Duration time.Duration

// ParseDuration reads "30m", "4h", "1h30m", and days as "3d" or "1d12h".
func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	var days time.Duration
	if i := strings.IndexByte(v, 'd'); i > 0 {
		n, err := strconv.Atoi(v[:i])
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 30m, 4h or 3d", v)
		}
		days, v = time.Duration(n)*24*time.Hour, v[i+1:]
	}
	var rest time.Duration
	if v != "" {
		var err error
		if rest, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 30m, 4h or 3d", v)
		}
	}
	return days + rest, nil
}

// invalidDuration marks a duration that did not parse, so that the
// policy's check names the field (a decoder error could not).
const invalidDuration = Duration(-1)

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		*d = invalidDuration
		return nil
	}
	v, err := ParseDuration(s)
	if err != nil || v < 0 {
		*d = invalidDuration
		return nil
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the shortest form: "30m", "4h", "1h30m", "3d".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d Duration) String() string {
	t := time.Duration(d)
	if t > 0 && t%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", t/(24*time.Hour))
	}
	s := t.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" {
		return "0m"
	}
	return s
}

// OpenAPISchema describes a duration for the API document.
func (Duration) OpenAPISchema() map[string]any {
	return map[string]any{"type": "string", "pattern": "^([0-9]+d)?([0-9]+h)?([0-9]+m)?$", "examples": []any{"30m", "4h", "3d"}}
}

// Targets are per priority, per metric promises.
type Targets map[string]map[sla.Metric]Duration

// PolicyInput creates or replaces an SLA policy. BusinessHours makes every
// target count the calendar's business hours; otherwise they are calendar
// (clock) hours.
type PolicyInput struct {
	Name           string         `json:"name"`
	Position       int            `json:"position"`
	Active         *bool          `json:"active,omitempty"`
	CalendarID     *int64         `json:"calendar_id,omitempty"`
	BusinessHours  bool           `json:"business_hours"`
	Conditions     sla.Conditions `json:"conditions"`
	Targets        Targets        `json:"targets"`
	PauseOnPending *bool          `json:"pause_on_pending,omitempty"`
	PauseOnHold    *bool          `json:"pause_on_hold,omitempty"`
	WarnBefore     *Duration      `json:"warn_before,omitempty"`
}

// Policy is an SLA policy as the API shows it.
type Policy struct {
	ID             int64          `json:"id"`
	Name           string         `json:"name"`
	Position       int            `json:"position"`
	Active         bool           `json:"active"`
	CalendarID     *int64         `json:"calendar_id"`
	BusinessHours  bool           `json:"business_hours"`
	Conditions     sla.Conditions `json:"conditions"`
	Targets        Targets        `json:"targets"`
	PauseOnPending bool           `json:"pause_on_pending"`
	PauseOnHold    bool           `json:"pause_on_hold"`
	WarnBefore     Duration       `json:"warn_before"`
}

func view(p sla.Policy) Policy {
	v := Policy{ID: p.ID, Name: p.Name, Position: p.Position, Active: p.Active, CalendarID: p.CalendarID, Conditions: p.Conditions,
		Targets: Targets{}, PauseOnPending: p.PauseOnPending, PauseOnHold: p.PauseOnHold, WarnBefore: Duration(time.Duration(p.WarnBefore) * time.Minute)}
	for prio, ms := range p.Targets {
		v.Targets[prio] = map[sla.Metric]Duration{}
		for m, t := range ms {
			v.Targets[prio][m] = Duration(time.Duration(t.Minutes) * time.Minute)
			v.BusinessHours = v.BusinessHours || t.Business
		}
	}
	return v
}

var priorities = []string{"urgent", "high", "normal", "low"}

func (in PolicyInput) check() (map[string]map[sla.Metric]sla.Target, int, error) {
	var c validation.Collector
	c.Text("name", in.Name, 100, true)
	if len(in.Targets) == 0 {
		c.Add("targets", "must set at least one target for one priority")
	}
	targets := map[string]map[sla.Metric]sla.Target{}
	for p, ms := range in.Targets {
		if !slices.Contains(priorities, p) {
			c.Add("targets."+p, "is not a priority (urgent, high, normal, low)")
			continue
		}
		targets[p] = map[sla.Metric]sla.Target{}
		for m, d := range ms {
			field := fmt.Sprintf("targets.%s.%s", p, m)
			if !slices.Contains(sla.Metrics, m) {
				c.Add(field, "is not a metric (first_reply, next_reply, resolution)")
				continue
			}
			if d == invalidDuration {
				c.Add(field, "must be a duration such as \"30m\", \"4h\", \"1h30m\" or \"3d\"")
				continue
			}
			if time.Duration(d) < time.Minute || time.Duration(d) > 366*24*time.Hour || time.Duration(d)%time.Minute != 0 {
				c.Add(field, "must be whole minutes between 1m and 366d")
				continue
			}
			targets[p][m] = sla.Target{Minutes: int(time.Duration(d) / time.Minute), Business: in.BusinessHours}
		}
	}
	if in.BusinessHours && in.CalendarID == nil {
		c.Add("calendar_id", "targets in business hours need a calendar")
	}
	for _, p := range in.Conditions.Priorities {
		if !slices.Contains(priorities, p) {
			c.Add("conditions.priorities", "%q is not a priority", p)
		}
	}
	warn := 0
	if in.WarnBefore != nil {
		if w := time.Duration(*in.WarnBefore); *in.WarnBefore == invalidDuration || w < 0 || w > 7*24*time.Hour {
			c.Add("warn_before", "must be between 0m and 7d")
		} else {
			warn = int(w / time.Minute)
		}
	}
	return targets, warn, c.Err()
}

// CreatePolicy adds an SLA policy (admins only).
func (s *Service) CreatePolicy(ctx context.Context, actor auth.Actor, in PolicyInput) (Policy, error) {
	return s.savePolicy(ctx, actor, 0, in)
}

// UpdatePolicy replaces an SLA policy (admins only).
func (s *Service) UpdatePolicy(ctx context.Context, actor auth.Actor, id int64, in PolicyInput) (Policy, error) {
	return s.savePolicy(ctx, actor, id, in)
}

func (s *Service) savePolicy(ctx context.Context, actor auth.Actor, id int64, in PolicyInput) (Policy, error) {
	if !actor.IsAdmin() {
		return Policy{}, auth.Forbidden("only admins manage SLA policies")
	}
	stored, warnMinutes, err := in.check()
	if err != nil {
		return Policy{}, err
	}
	cond, _ := json.Marshal(in.Conditions)
	targets, _ := json.Marshal(stored)
	t := true
	active, pp, ph := deref(in.Active, t), deref(in.PauseOnPending, t), deref(in.PauseOnHold, t)
	now := store.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if id == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO sla_policies (name, position, active, conditions, targets, calendar_id, pause_on_pending, pause_on_hold, warn_before_minutes, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
				strings.TrimSpace(in.Name), in.Position, active, string(cond), string(targets), in.CalendarID, pp, ph, warnMinutes, now).Scan(&id)
		} else {
			var n int64
			n, err = tx.Exec(ctx, `UPDATE sla_policies SET name = $2, position = $3, active = $4, conditions = $5, targets = $6, calendar_id = $7,
				pause_on_pending = $8, pause_on_hold = $9, warn_before_minutes = $10, updated_at = $11 WHERE id = $1`,
				id, strings.TrimSpace(in.Name), in.Position, active, string(cond), string(targets), in.CalendarID, pp, ph, warnMinutes, now)
			if err == nil && n == 0 {
				return fmt.Errorf("policy %d: %w", id, store.ErrNotFound)
			}
		}
		switch {
		case errors.Is(err, store.ErrConflict):
			return validation.Field("name", "a policy with this name already exists")
		case errors.Is(err, store.ErrReference):
			return validation.Field("calendar_id", "calendar does not exist")
		case err != nil:
			return fmt.Errorf("save policy: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "sla_policy.save", fmt.Sprintf("sla_policy:%d", id), in.Name)
	})
	s.forget()
	if err != nil {
		return Policy{}, err
	}
	return s.GetPolicy(ctx, id)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

const policyCols = `id, name, position, active, conditions, targets, calendar_id, pause_on_pending, pause_on_hold, warn_before_minutes`

func scanPolicy(r store.Row) (sla.Policy, error) {
	var p sla.Policy
	var cond, targets string
	if err := r.Scan(&p.ID, &p.Name, &p.Position, &p.Active, &cond, &targets, &p.CalendarID, &p.PauseOnPending, &p.PauseOnHold, &p.WarnBefore); err != nil {
		return sla.Policy{}, err
	}
	if err := json.Unmarshal([]byte(cond), &p.Conditions); err != nil {
		return sla.Policy{}, fmt.Errorf("policy %d conditions: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(targets), &p.Targets); err != nil {
		return sla.Policy{}, fmt.Errorf("policy %d targets: %w", p.ID, err)
	}
	return p, nil
}

// GetPolicy returns one policy.
func (s *Service) GetPolicy(ctx context.Context, id int64) (Policy, error) {
	p, err := scanPolicy(s.DB.Read().QueryRow(ctx, `SELECT `+policyCols+` FROM sla_policies WHERE id = $1`, id))
	if err != nil {
		return Policy{}, fmt.Errorf("policy %d: %w", id, err)
	}
	return view(p), nil
}

// Policies lists every policy in order.
func (s *Service) Policies(ctx context.Context) ([]Policy, error) {
	ps, err := policies(ctx, s.DB.Read(), false)
	if err != nil {
		return nil, err
	}
	out := make([]Policy, len(ps))
	for i, p := range ps {
		out[i] = view(p)
	}
	return out, nil
}

func policies(ctx context.Context, q store.Querier, activeOnly bool) ([]sla.Policy, error) {
	where := ""
	if activeOnly {
		where = " WHERE active = $1"
	}
	var args []any
	if activeOnly {
		args = append(args, true)
	}
	rows, err := q.Query(ctx, `SELECT `+policyCols+` FROM sla_policies`+where+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	defer rows.Close()
	out := []sla.Policy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Preview answers "a ticket created at `at` with these facts would be due
// when?" for the policy that would apply.
type Preview struct {
	PolicyID   int64                     `json:"policy_id"`
	PolicyName string                    `json:"policy_name"`
	CreatedAt  time.Time                 `json:"created_at"`
	Due        map[sla.Metric]*time.Time `json:"due"`
}

// PreviewFor computes the due times of a hypothetical new ticket.
func (s *Service) PreviewFor(ctx context.Context, f sla.Facts, at time.Time) (Preview, error) {
	ps, _, err := s.active(ctx, s.DB.Read())
	if err != nil {
		return Preview{}, err
	}
	p, ok := sla.Select(ps, f)
	if !ok {
		return Preview{}, validation.Field("priority", "no active SLA policy covers such a ticket")
	}
	var cal *sla.Calendar
	if p.CalendarID != nil {
		if cal, err = loadCalendar(ctx, s.DB.Read(), *p.CalendarID); err != nil {
			return Preview{}, err
		}
	}
	out := Preview{PolicyID: p.ID, PolicyName: p.Name, CreatedAt: at, Due: map[sla.Metric]*time.Time{}}
	for _, st := range sla.Compute(p, cal, f.Priority, []sla.Happening{{At: at, Kind: sla.HappenedCreated}}, at) {
		out.Due[st.Metric] = st.Due
	}
	if len(out.Due) == 0 {
		return Preview{}, validation.Field("priority", "policy %q sets no targets for priority %s", p.Name, f.Priority)
	}
	return out, nil
}
