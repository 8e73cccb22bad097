package sla

import (
	"slices"
	"time"
)

// Metric is one promise an SLA policy makes.
type Metric string

const (
	// FirstReply runs from the ticket's creation to the first public reply
	// of an agent.
	FirstReply Metric = "first_reply"
	// NextReply runs from each customer message that waits for an answer
	// (one that follows an agent's public reply) to the next public reply.
	NextReply Metric = "next_reply"
	// Resolution runs from creation until the ticket is solved; a reopened
	// ticket's clock carries on from where it stopped.
	Resolution Metric = "resolution"
)

// Metrics lists every metric.
var Metrics = []Metric{FirstReply, NextReply, Resolution}

// Target is the promised time of one metric.
type Target struct {
	Minutes  int  `json:"minutes"`
	Business bool `json:"business_hours"`
}

// Conditions select the tickets a policy covers. An empty list matches
// anything; a non-empty one must contain the ticket's value (for tags: any
// of the ticket's tags).
type Conditions struct {
	Priorities      []string `json:"priorities,omitempty"`
	Channels        []string `json:"channels,omitempty"`
	Inboxes         []string `json:"inboxes,omitempty"`
	TeamIDs         []int64  `json:"team_ids,omitempty"`
	OrganizationIDs []int64  `json:"organization_ids,omitempty"`
	Tiers           []string `json:"tiers,omitempty"`
	Tags            []string `json:"tags,omitempty"`
	Types           []string `json:"types,omitempty"`
}

// Policy is one SLA policy. Policies are ordered by Position; the first
// active one whose conditions match a ticket applies to it.
type Policy struct {
	ID             int64                        `json:"id"`
	Name           string                       `json:"name"`
	Position       int                          `json:"position"`
	Active         bool                         `json:"active"`
	Conditions     Conditions                   `json:"conditions"`
	Targets        map[string]map[Metric]Target `json:"targets"` // priority → metric → target
	CalendarID     *int64                       `json:"calendar_id"`
	PauseOnPending bool                         `json:"pause_on_pending"`
	PauseOnHold    bool                         `json:"pause_on_hold"`
	WarnBefore     int                          `json:"warn_before_minutes"`
}

// Facts are what policy conditions look at.
type Facts struct {
	Priority       string
	Channel        string
	Inbox          string
	Type           string
	Tier           string
	TeamID         *int64
	OrganizationID *int64
	Tags           []string
}

func anyOf[T comparable](list []T, v T) bool { return len(list) == 0 || slices.Contains(list, v) }

func anyOfPtr(list []int64, v *int64) bool {
	if len(list) == 0 {
		return true
	}
	return v != nil && slices.Contains(list, *v)
}

// Matches reports whether the policy's conditions cover a ticket.
func (p Policy) Matches(f Facts) bool {
	c := p.Conditions
	if !anyOf(c.Priorities, f.Priority) || !anyOf(c.Channels, f.Channel) || !anyOf(c.Inboxes, f.Inbox) ||
		!anyOf(c.Types, f.Type) || !anyOf(c.Tiers, f.Tier) || !anyOfPtr(c.TeamIDs, f.TeamID) || !anyOfPtr(c.OrganizationIDs, f.OrganizationID) {
		return false
	}
	if len(c.Tags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(c.Tags, t) }) {
		return false
	}
	return true
}

// Select returns the first active policy, by position, that matches.
func Select(policies []Policy, f Facts) (Policy, bool) {
	sorted := slices.Clone(policies)
	slices.SortStableFunc(sorted, func(a, b Policy) int { return a.Position - b.Position })
	for _, p := range sorted {
		if p.Active && p.Matches(f) {
			return p, true
		}
	}
	return Policy{}, false
}

// Kinds of happening in a ticket's history that move SLA clocks.
const (
	HappenedCreated         = "created"
	HappenedStatus          = "status"           // Value: the new status category
	HappenedAgentReply      = "agent_reply"      // a public reply by an agent
	HappenedCustomerMessage = "customer_message" // a public message by the requester
)

// Happening is one entry of a ticket's history, as far as SLAs care.
type Happening struct {
	At    time.Time
	Kind  string
	Value string
}

// States of a metric.
const (
	StateActive   = "active"
	StatePaused   = "paused"
	StateAchieved = "achieved"
	StateBreached = "breached"
)

// Status is where one metric of one ticket stands.
type Status struct {
	Metric Metric `json:"metric"`
	State  string `json:"state"`
	// Due is when the metric breaches (or breached): set while active and
	// after a breach; nil while paused or once achieved in time.
	Due *time.Time `json:"due_at"`
	// Elapsed is the counted time so far (business time for business-hours
	// targets).
	Elapsed time.Duration `json:"-"`
	Target  Target        `json:"target"`
	// AchievedAt is when the metric was met (or when it stopped running).
	AchievedAt *time.Time `json:"achieved_at"`
	BreachedAt *time.Time `json:"breached_at"`
}

// clock measures one metric through a ticket's history.
type clock struct {
	cal      *Calendar
	target   time.Duration
	running  bool // counting time: started, not stopped, not paused
	started  bool
	paused   bool
	stopped  bool
	since    time.Time     // when the clock last started running
	elapsed  time.Duration // counted before since
	breached *time.Time
	achieved *time.Time
}

func (c *clock) measure(from, to time.Time) time.Duration {
	if c.cal == nil {
		return to.Sub(from)
	}
	return c.cal.Between(from, to)
}

func (c *clock) due() *time.Time {
	left := c.target - c.elapsed
	var d time.Time
	if c.cal == nil {
		d = c.since.Add(left)
	} else {
		var err error
		if d, err = c.cal.Add(c.since, left); err != nil {
			return nil
		}
	}
	return &d
}

// advance brings the clock to instant t, noting a breach on the way.
func (c *clock) advance(t time.Time) {
	if !c.running {
		return
	}
	if c.breached == nil {
		if d := c.due(); d != nil && !d.After(t) {
			b := *d
			c.breached = &b
		}
	}
	c.elapsed += c.measure(c.since, t)
	c.since = t
}

func (c *clock) start(t time.Time) {
	c.started, c.stopped, c.achieved = true, false, nil
	c.running = !c.paused
	c.since = t
}

func (c *clock) stop(t time.Time) {
	c.advance(t)
	if c.started && !c.stopped {
		at := t
		c.achieved = &at
	}
	c.stopped, c.running = true, false
}

func (c *clock) pause(t time.Time, paused bool) {
	c.advance(t)
	c.paused = paused
	c.running = c.started && !c.stopped && !paused
	c.since = t
}

func (c *clock) status(m Metric, target Target, now time.Time) *Status {
	if !c.started {
		return nil
	}
	c.advance(now)
	s := &Status{Metric: m, Target: target, Elapsed: c.elapsed, AchievedAt: c.achieved, BreachedAt: c.breached}
	switch {
	case c.breached != nil:
		s.State, s.Due = StateBreached, c.breached
	case c.stopped:
		s.State = StateAchieved
	case c.paused:
		s.State = StatePaused
	default:
		s.State, s.Due = StateActive, c.due()
	}
	return s
}

// Compute replays a ticket's history under a policy and returns where each
// metric the policy sets for priority stands at now. The target is the
// current priority's for the whole history: a priority change recomputes
// due times from the ticket's start, not from the change. cal is nil for
// policies in calendar hours, or when a target is in calendar hours.
func Compute(p Policy, cal *Calendar, priority string, history []Happening, now time.Time) []Status {
	targets := p.Targets[priority]
	var out []Status
	for _, m := range Metrics {
		target, ok := targets[m]
		if !ok || target.Minutes <= 0 {
			continue
		}
		c := &clock{target: time.Duration(target.Minutes) * time.Minute}
		if target.Business {
			c.cal = cal
		}
		waiting := false // next reply: an agent has replied, so a customer message now waits
		for _, h := range history {
			if h.At.After(now) {
				break
			}
			switch h.Kind {
			case HappenedCreated:
				if m == FirstReply || m == Resolution {
					c.start(h.At)
				}
			case HappenedStatus:
				paused := (h.Value == "pending" && p.PauseOnPending) || (h.Value == "on_hold" && p.PauseOnHold)
				switch {
				case m == Resolution && (h.Value == "solved" || h.Value == "closed"):
					c.stop(h.At)
				case m == Resolution && c.stopped:
					// Reopened: the resolution clock carries on.
					c.paused = paused
					c.stopped, c.achieved = false, nil
					c.running = !paused
					c.since = h.At
				default:
					c.pause(h.At, paused)
				}
			case HappenedAgentReply:
				switch m {
				case FirstReply:
					if !c.stopped {
						c.stop(h.At)
					}
				case NextReply:
					if c.started && !c.stopped {
						c.stop(h.At)
					}
					waiting = true
				}
			case HappenedCustomerMessage:
				if m == NextReply && waiting && (!c.started || c.stopped) {
					// A new cycle: a fresh clock, keeping the pause state.
					*c = clock{cal: c.cal, target: c.target, paused: c.paused}
					c.start(h.At)
				}
			}
		}
		if s := c.status(m, target, now); s != nil {
			out = append(out, *s)
		}
	}
	return out
}
