package routing

import "testing"

func TestPick(t *testing.T) {
	three := func(loads ...int) []Candidate {
		out := make([]Candidate, len(loads))
		for i, l := range loads {
			out[i] = Candidate{ID: int64(i + 1), Load: l}
		}
		return out
	}
	cases := []struct {
		name     string
		strategy string
		cursor   int64
		cands    []Candidate
		facts    Facts
		want     int64
		ok       bool
	}{
		{"manual assigns nobody", Manual, 0, three(0, 0, 0), Facts{}, 0, false},
		{"unknown strategy assigns nobody", "random", 0, three(0, 0, 0), Facts{}, 0, false},
		{"nobody available", RoundRobin, 0, nil, Facts{}, 0, false},
		{"round robin starts at the lowest id", RoundRobin, 0, three(5, 0, 0), Facts{}, 1, true},
		{"round robin takes the next after the cursor", RoundRobin, 1, three(0, 9, 0), Facts{}, 2, true},
		{"round robin wraps around", RoundRobin, 3, three(0, 0, 0), Facts{}, 1, true},
		{"round robin skips a cursor agent who left", RoundRobin, 7, []Candidate{{ID: 4}, {ID: 9}}, Facts{}, 9, true},
		{"least loaded takes the fewest", LeastLoaded, 0, three(3, 1, 2), Facts{}, 2, true},
		{"least loaded ties take turns after the cursor", LeastLoaded, 2, three(1, 1, 1), Facts{}, 3, true},
		{"least loaded ties wrap", LeastLoaded, 3, three(1, 1, 1), Facts{}, 1, true},
		{"full agents are skipped", RoundRobin, 0, []Candidate{{ID: 1, Capacity: 2, Load: 2}, {ID: 2, Capacity: 2, Load: 1}}, Facts{}, 2, true},
		{"everyone full", LeastLoaded, 0, []Candidate{{ID: 1, Capacity: 1, Load: 1}, {ID: 2, Capacity: 3, Load: 3}}, Facts{}, 0, false},
		{"capacity 0 is unlimited", LeastLoaded, 0, []Candidate{{ID: 1, Load: 500}}, Facts{}, 1, true},
		{"a tag skill wins over generalists", RoundRobin, 0,
			[]Candidate{{ID: 1}, {ID: 2, Tags: []string{"billing"}}}, Facts{Tags: []string{"billing", "vip"}}, 2, true},
		{"a language skill wins over generalists", LeastLoaded, 0,
			[]Candidate{{ID: 1}, {ID: 2, Load: 9, Languages: []string{"pt-BR"}}}, Facts{Language: "pt-BR"}, 2, true},
		{"specialists never take other tickets", RoundRobin, 0,
			[]Candidate{{ID: 1, Tags: []string{"billing"}}, {ID: 2}}, Facts{Tags: []string{"bug"}, Language: "en"}, 2, true},
		{"only unmatched specialists: nobody", RoundRobin, 0,
			[]Candidate{{ID: 1, Tags: []string{"billing"}}, {ID: 2, Languages: []string{"he"}}}, Facts{Language: "es"}, 0, false},
		{"full specialists fall back to generalists", RoundRobin, 0,
			[]Candidate{{ID: 1, Tags: []string{"billing"}, Capacity: 1, Load: 1}, {ID: 2}}, Facts{Tags: []string{"billing"}}, 2, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Pick(c.strategy, c.cursor, c.cands, c.facts)
			if got != c.want || ok != c.ok {
				t.Fatalf("Pick = %d, %v; want %d, %v", got, ok, c.want, c.ok)
			}
		})
	}
}
