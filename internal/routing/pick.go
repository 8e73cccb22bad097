package routing

import (
	"slices"
)

// Strategies a team assigns its tickets by.
const (
	Manual      = "manual"
	RoundRobin  = "round_robin"
	LeastLoaded = "least_loaded"
)

// Candidate is an agent of the team who is active, may be assigned
// tickets and is available, with what the strategies weigh.
type Candidate struct {
	ID int64
	// Capacity is the most tickets (new or open) the agent holds; 0 means
	// no limit.
	Capacity int
	// Load is the agent's tickets that are new or open, in every team.
	Load      int
	Tags      []string
	Languages []string
}

// Facts are what skills are matched against: the ticket's tags and the
// requester's language.
type Facts struct {
	Tags     []string
	Language string
}

func (c Candidate) skilled() bool { return len(c.Tags)+len(c.Languages) > 0 }

func (c Candidate) matches(f Facts) bool {
	if f.Language != "" && slices.Contains(c.Languages, f.Language) {
		return true
	}
	for _, t := range f.Tags {
		if slices.Contains(c.Tags, t) {
			return true
		}
	}
	return false
}

func (c Candidate) full() bool { return c.Capacity > 0 && c.Load >= c.Capacity }

// Pick chooses the agent for a ticket, or none. Skills narrow the field
// first:
//   - an agent with skills handles only tickets carrying one of their tags
//     or whose requester speaks one of their languages;
//   - an agent without skills handles anything;
//   - agents whose skills match come first: the others (without skills)
//     get the ticket only when every matching agent is full.
//
// Agents at their capacity are skipped. Among the rest, round_robin takes
// the next agent (by id) after the one the team assigned last (cursor),
// wrapping around; least_loaded takes the agent with the fewest new or
// open tickets, ties broken in round-robin order, so equal agents take
// turns. Pure: the database work is in Service.
func Pick(strategy string, cursor int64, cands []Candidate, f Facts) (int64, bool) {
	if strategy != RoundRobin && strategy != LeastLoaded {
		return 0, false
	}
	var first, second []Candidate
	for _, c := range cands {
		switch {
		case c.full():
		case c.skilled() && c.matches(f):
			first = append(first, c)
		case !c.skilled():
			second = append(second, c)
		}
	}
	pool := first
	if len(pool) == 0 {
		pool = second
	}
	if len(pool) == 0 {
		return 0, false
	}
	// Round-robin order: ids after the cursor, then from the start.
	slices.SortFunc(pool, func(a, b Candidate) int {
		ka, kb := a.ID <= cursor, b.ID <= cursor
		if ka != kb {
			if ka {
				return 1
			}
			return -1
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	best := pool[0]
	if strategy == LeastLoaded {
		for _, c := range pool[1:] {
			if c.Load < best.Load {
				best = c
			}
		}
	}
	return best.ID, true
}
