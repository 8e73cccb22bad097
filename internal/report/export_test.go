package report

import (
	"context"
	"time"
)

// SetPhase lets the timing test hear each step of a summary.
func SetPhase(f func(name string, d time.Duration)) { phase = f }

// Scan makes a filter read the event log instead of the summary tables.
func Scan(f Filter) Filter { f.scan = true; return f }

// UsesSummary says whether the summary tables answer the filter.
func (s *Service) UsesSummary(f Filter) (bool, error) {
	if f.Loc == nil {
		f.Loc = time.UTC
	}
	start, end := f.Bounds()
	return s.summaryAnswers(context.Background(), f, start, end)
}
