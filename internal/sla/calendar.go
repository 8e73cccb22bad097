// Package sla holds business-hours calendars and SLA policies: pure due-time
// arithmetic with no database in it.
//
// A Calendar says when the support team works: per weekday one or more
// intervals of local wall-clock time (an interval whose end is not after its
// start runs overnight into the next day; 00:00–24:00 is the whole day), an
// IANA time zone, and holidays (single dates, or a month and day that recur
// every year). All arithmetic is done on real instants, so a business hour
// is sixty real minutes also on the days clocks change.
package sla

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Interval is a span of local wall-clock time within a day, in minutes
// after midnight: Start in [0, 1440), End in (0, 1440]. End <= Start means
// the interval runs past midnight into the next day.
type Interval struct {
	Start, End int
}

// Holiday is a day without business hours: a single date (Year > 0) or a
// date that recurs every year (Year == 0).
type Holiday struct {
	Year  int
	Month time.Month
	Day   int
	Name  string
}

// Calendar is a team's business hours.
type Calendar struct {
	Name     string
	Location *time.Location
	// Week holds the intervals of each weekday, indexed by time.Weekday
	// (Sunday = 0).
	Week     [7][]Interval
	Holidays []Holiday
}

// Always is the 24/7 calendar: business time is elapsed time.
func Always() *Calendar {
	c := &Calendar{Name: "24/7", Location: time.UTC}
	for d := range c.Week {
		c.Week[d] = []Interval{{0, 1440}}
	}
	return c
}

// Validate reports what is wrong with a calendar's definition.
func (c *Calendar) Validate() error {
	if c.Location == nil {
		return errors.New("calendar: no time zone")
	}
	for d, ivs := range c.Week {
		for _, iv := range ivs {
			if iv.Start < 0 || iv.Start >= 1440 || iv.End <= 0 || iv.End > 1440 {
				return fmt.Errorf("calendar: %s interval %s is outside the day", time.Weekday(d), iv)
			}
		}
	}
	for _, h := range c.Holidays {
		if h.Month < time.January || h.Month > time.December || h.Day < 1 || h.Day > 31 {
			return fmt.Errorf("calendar: holiday %04d-%02d-%02d is not a date", h.Year, h.Month, h.Day)
		}
	}
	return nil
}

func (iv Interval) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Start/60, iv.Start%60, iv.End/60, iv.End%60)
}

// span is a half-open interval of real time.
type span struct{ from, to time.Time }

// isHoliday reports whether the local date y-m-d is a holiday.
func (c *Calendar) isHoliday(y int, m time.Month, d int) bool {
	for _, h := range c.Holidays {
		if h.Month == m && h.Day == d && (h.Year == 0 || h.Year == y) {
			return true
		}
	}
	return false
}

// at returns the instant of local wall-clock minute min on date y-m-d.
// Minutes past 24:00 roll into the next day. A wall time skipped by a
// daylight-saving jump is taken as the first valid instant after it.
func (c *Calendar) at(y int, m time.Month, d, min int) time.Time {
	return time.Date(y, m, d, 0, min, 0, 0, c.Location)
}

// day returns the business spans that start on local date (y, m, d), with
// holidays cut out, in order.
func (c *Calendar) day(y int, m time.Month, d int) []span {
	wd := time.Date(y, m, d, 12, 0, 0, 0, c.Location).Weekday()
	var out []span
	for _, iv := range c.Week[wd] {
		end := iv.End
		if end <= iv.Start {
			end += 1440 // overnight
		}
		out = append(out, span{c.at(y, m, d, iv.Start), c.at(y, m, d, end)})
	}
	if len(c.Holidays) == 0 || len(out) == 0 {
		return out
	}
	// Cut out the holidays of this date and of the next (overnight spill).
	var cut []span
	for off := 0; off <= 1; off++ {
		date := time.Date(y, m, d+off, 12, 0, 0, 0, c.Location)
		if c.isHoliday(date.Year(), date.Month(), date.Day()) {
			cut = append(cut, span{c.at(y, m, d+off, 0), c.at(y, m, d+off, 1440)})
		}
	}
	for _, h := range cut {
		var kept []span
		for _, s := range out {
			if !s.to.After(h.from) || !s.from.Before(h.to) {
				kept = append(kept, s)
				continue
			}
			if s.from.Before(h.from) {
				kept = append(kept, span{s.from, h.from})
			}
			if s.to.After(h.to) {
				kept = append(kept, span{h.to, s.to})
			}
		}
		out = kept
	}
	return out
}

// maxDays bounds every search: a calendar without a single business minute
// in two years is treated as having none.
const maxDays = 2 * 366

// spansFrom yields business spans that end after t, in time order, merged
// where they touch, starting from the local day before t (an overnight
// interval of the previous day may still be running).
func (c *Calendar) spansFrom(t time.Time, yield func(span) bool) {
	local := t.In(c.Location)
	y, m, d := local.Date()
	var pending *span
	for i := -1; i < maxDays; i++ {
		spans := c.day(y, m, d+i)
		slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
		for _, s := range spans {
			if !s.to.After(t) {
				continue
			}
			if s.from.Before(t) {
				s.from = t
			}
			if pending != nil && !s.from.After(pending.to) {
				if s.to.After(pending.to) {
					pending.to = s.to
				}
				continue
			}
			if pending != nil && !yield(*pending) {
				return
			}
			p := s
			pending = &p
		}
		// Spans of later days start at the earliest at that day's midnight;
		// a pending span ending before it cannot grow any more.
		if pending != nil && pending.to.Before(c.at(y, m, d+i+1, 0)) {
			if !yield(*pending) {
				return
			}
			pending = nil
		}
	}
	if pending != nil {
		yield(*pending)
	}
}

// ErrNoBusinessTime is returned for a calendar with no business hours.
var ErrNoBusinessTime = errors.New("calendar has no business hours")

// Add returns the instant that is d of business time after t.
func (c *Calendar) Add(t time.Time, d time.Duration) (time.Time, error) {
	if d <= 0 {
		return t, nil
	}
	var out time.Time
	left := d
	c.spansFrom(t, func(s span) bool {
		if n := s.to.Sub(s.from); n < left {
			left -= n
			return true
		}
		out = s.from.Add(left)
		return false
	})
	if out.IsZero() {
		return time.Time{}, ErrNoBusinessTime
	}
	return out, nil
}

// AddMinutes returns the instant n business minutes after t.
func (c *Calendar) AddMinutes(t time.Time, n int) (time.Time, error) {
	return c.Add(t, time.Duration(n)*time.Minute)
}

// Between returns the business time elapsed from a to b (negative if b is
// before a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.Between(b, a)
	}
	var total time.Duration
	c.spansFrom(a, func(s span) bool {
		if !s.from.Before(b) {
			return false
		}
		end := s.to
		if end.After(b) {
			end = b
		}
		total += end.Sub(s.from)
		return end.Before(b)
	})
	return total
}

// Next returns t if it is inside business hours, else the next moment
// business hours begin.
func (c *Calendar) Next(t time.Time) (time.Time, error) {
	var out time.Time
	c.spansFrom(t, func(s span) bool {
		out = s.from
		return false
	})
	if out.IsZero() {
		return time.Time{}, ErrNoBusinessTime
	}
	return out, nil
}

// Open reports whether t is inside business hours.
func (c *Calendar) Open(t time.Time) bool {
	n, err := c.Next(t)
	return err == nil && n.Equal(t)
}
