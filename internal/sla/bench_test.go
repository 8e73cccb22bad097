package sla

import (
	"testing"
	"time"
)

// BenchmarkAdd measures one due-time computation on a business-hours
// calendar with a lunch break and holidays, across a weekend.
func BenchmarkAdd(b *testing.B) {
	c := brazil(b)
	from := time.Date(2026, 11, 27, 17, 0, 0, 0, c.Location)
	for b.Loop() {
		if _, err := c.Add(from, 20*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompute replays a typical ticket history (created, replies,
// a pending spell, solved) for all three metrics.
func BenchmarkCompute(b *testing.B) {
	c := brazil(b)
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := []Happening{{At: t0, Kind: HappenedCreated}}
	for i := 1; i <= 10; i++ {
		at := t0.Add(time.Duration(i) * 3 * time.Hour)
		switch i % 3 {
		case 0:
			h = append(h, Happening{At: at, Kind: HappenedAgentReply}, Happening{At: at, Kind: HappenedStatus, Value: "pending"})
		case 1:
			h = append(h, Happening{At: at, Kind: HappenedCustomerMessage}, Happening{At: at, Kind: HappenedStatus, Value: "open"})
		default:
			h = append(h, Happening{At: at, Kind: HappenedAgentReply})
		}
	}
	h = append(h, Happening{At: t0.Add(40 * time.Hour), Kind: HappenedStatus, Value: "solved"})
	p := Policy{PauseOnPending: true, Targets: map[string]map[Metric]Target{"high": {
		FirstReply: {Minutes: 120, Business: true}, NextReply: {Minutes: 240, Business: true}, Resolution: {Minutes: 2400, Business: true}}}}
	now := t0.Add(48 * time.Hour)
	for b.Loop() {
		if len(Compute(p, c, "high", h, now)) != 3 {
			b.Fatal("missing metrics")
		}
	}
}
