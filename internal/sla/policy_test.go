package sla

import (
	"testing"
	"time"
)

func TestSelect(t *testing.T) {
	vip := int64(7)
	team := int64(3)
	policies := []Policy{
		{ID: 3, Name: "Default", Position: 30, Active: true},
		{ID: 1, Name: "VIP urgent", Position: 10, Active: true, Conditions: Conditions{Tiers: []string{"vip"}, Priorities: []string{"urgent", "high"}}},
		{ID: 2, Name: "Acme email", Position: 20, Active: true, Conditions: Conditions{OrganizationIDs: []int64{vip}, Channels: []string{"email"}, Tags: []string{"contract", "sla"}}},
		{ID: 4, Name: "Disabled", Position: 0, Active: false},
		{ID: 5, Name: "Tier 2", Position: 25, Active: true, Conditions: Conditions{TeamIDs: []int64{team}, Types: []string{"incident"}}},
	}
	cases := []struct {
		name string
		f    Facts
		want int64
	}{
		{"vip urgent", Facts{Tier: "vip", Priority: "urgent"}, 1},
		{"vip low falls through", Facts{Tier: "vip", Priority: "low"}, 3},
		{"org email with tag", Facts{OrganizationID: &vip, Channel: "email", Tags: []string{"x", "sla"}}, 2},
		{"org email without tag", Facts{OrganizationID: &vip, Channel: "email", Tags: []string{"x"}}, 3},
		{"org on the web", Facts{OrganizationID: &vip, Channel: "web", Tags: []string{"sla"}}, 3},
		{"team incident", Facts{TeamID: &team, Type: "incident"}, 5},
		{"no team", Facts{Type: "incident"}, 3},
	}
	for _, c := range cases {
		p, ok := Select(policies, c.f)
		if !ok || p.ID != c.want {
			t.Errorf("%s: got policy %d (%v), want %d", c.name, p.ID, ok, c.want)
		}
	}
	if _, ok := Select(policies[1:2], Facts{}); ok {
		t.Error("matched without a matching policy")
	}
}

func TestCompute(t *testing.T) {
	sp := mustLoad(t, "America/Sao_Paulo")
	day := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) } // a Monday
	tm := func(tt time.Time) *time.Time { return &tt }
	pol := Policy{PauseOnPending: true, PauseOnHold: true, Targets: map[string]map[Metric]Target{
		"normal": {FirstReply: {Minutes: 60}, NextReply: {Minutes: 60}, Resolution: {Minutes: 180}},
		"urgent": {FirstReply: {Minutes: 15}, Resolution: {Minutes: 60}},
		"biz":    {FirstReply: {Minutes: 120, Business: true}},
	}}
	created := Happening{At: day(10, 0), Kind: HappenedCreated}
	reply := func(h, m int) Happening { return Happening{At: day(h, m), Kind: HappenedAgentReply} }
	customer := func(h, m int) Happening { return Happening{At: day(h, m), Kind: HappenedCustomerMessage} }
	status := func(h, m int, v string) Happening { return Happening{At: day(h, m), Kind: HappenedStatus, Value: v} }
	type want struct {
		state string
		due   *time.Time
	}
	cases := []struct {
		name     string
		priority string
		cal      *Calendar
		history  []Happening
		now      time.Time
		want     map[Metric]want
	}{
		{"waiting for a first reply", "normal", nil, []Happening{created}, day(10, 20),
			map[Metric]want{FirstReply: {StateActive, tm(day(11, 0))}, Resolution: {StateActive, tm(day(13, 0))}}},
		{"first reply in time", "normal", nil, []Happening{created, reply(10, 30)}, day(10, 40),
			map[Metric]want{FirstReply: {StateAchieved, nil}, Resolution: {StateActive, tm(day(13, 0))}}},
		{"first reply late", "normal", nil, []Happening{created, reply(11, 30)}, day(11, 40),
			map[Metric]want{FirstReply: {StateBreached, tm(day(11, 0))}}},
		{"breached while nobody answered", "normal", nil, []Happening{created}, day(12, 0),
			map[Metric]want{FirstReply: {StateBreached, tm(day(11, 0))}}},
		{"pending pauses the clocks", "normal", nil, []Happening{created, reply(10, 10), status(10, 10, "pending"), customer(12, 0), status(12, 0, "open")}, day(12, 10),
			map[Metric]want{Resolution: {StateActive, tm(day(14, 50))}, NextReply: {StateActive, tm(day(13, 0))}}},
		{"paused now", "normal", nil, []Happening{created, status(10, 30, "on_hold")}, day(15, 0),
			map[Metric]want{FirstReply: {StatePaused, nil}, Resolution: {StatePaused, nil}}},
		{"priority raised: due from the start", "urgent", nil, []Happening{created}, day(10, 5),
			map[Metric]want{FirstReply: {StateActive, tm(day(10, 15))}, Resolution: {StateActive, tm(day(11, 0))}}},
		{"next reply achieved", "normal", nil, []Happening{created, reply(10, 10), customer(11, 0), reply(11, 45)}, day(12, 0),
			map[Metric]want{NextReply: {StateAchieved, nil}}},
		{"customer writes twice before the first reply: no next reply yet", "normal", nil, []Happening{created, customer(10, 30)}, day(10, 40),
			map[Metric]want{NextReply: {}}},
		{"solved and reopened", "normal", nil, []Happening{created, reply(10, 5), status(11, 0, "solved"), customer(12, 0), status(12, 0, "open")}, day(12, 30),
			map[Metric]want{Resolution: {StateActive, tm(day(14, 0))}, FirstReply: {StateAchieved, nil}}},
		{"solved in time", "normal", nil, []Happening{created, reply(10, 5), status(11, 0, "solved")}, day(15, 0),
			map[Metric]want{Resolution: {StateAchieved, nil}}},
		// Friday 17:00 in São Paulo (20:00 UTC) + 2 business hours: Monday 10:00.
		{"business hours", "biz", brazil(t), []Happening{{At: time.Date(2026, 11, 27, 17, 0, 0, 0, sp), Kind: HappenedCreated}}, time.Date(2026, 11, 28, 12, 0, 0, 0, sp),
			map[Metric]want{FirstReply: {StateActive, tm(time.Date(2026, 11, 30, 10, 0, 0, 0, sp))}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[Metric]Status{}
			for _, s := range Compute(pol, c.cal, c.priority, c.history, c.now) {
				got[s.Metric] = s
			}
			for m, w := range c.want {
				s, ok := got[m]
				if w.state == "" {
					if ok {
						t.Errorf("%s: got %+v, want no clock", m, s)
					}
					continue
				}
				if !ok {
					t.Errorf("%s: missing", m)
					continue
				}
				if s.State != w.state {
					t.Errorf("%s: state %s, want %s", m, s.State, w.state)
				}
				if (s.Due == nil) != (w.due == nil) || (s.Due != nil && !s.Due.Equal(*w.due)) {
					t.Errorf("%s: due %v, want %v", m, s.Due, w.due)
				}
			}
		})
	}
}
