package sla

import (
	"slices"

	"tessera/internal/search"
)

// PriorityRule sets the priority of a new ticket that nobody gave one.
// Rules are tried in Position order; the first that matches decides. All
// its non-empty conditions must hold; Keywords holds when any keyword or
// phrase occurs in the subject or the first message, compared without case
// or accents ("urgente" finds "URGENTE", "nao funciona" finds "Não
// funciona", "דחוף" finds "דחוף!").
type PriorityRule struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	Position        int      `json:"position"`
	Active          bool     `json:"active"`
	Keywords        []string `json:"keywords"`
	Tiers           []string `json:"tiers"`
	OrganizationIDs []int64  `json:"organization_ids"`
	Channels        []string `json:"channels"`
	Inboxes         []string `json:"inboxes"`
	Priority        string   `json:"priority"`
}

// NewTicket is what priority rules look at.
type NewTicket struct {
	Subject, Body  string
	Channel, Inbox string
	Tier           string
	OrganizationID *int64
}

// containsPhrase reports whether the folded words of phrase occur, in
// order and next to each other, among words.
func containsPhrase(words, phrase []string) bool {
	if len(phrase) == 0 || len(phrase) > len(words) {
		return false
	}
	for i := 0; i+len(phrase) <= len(words); i++ {
		if slices.Equal(words[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// Matches reports whether the rule applies to a new ticket; words are the
// folded words of its subject and first message.
func (r PriorityRule) Matches(t NewTicket, words []string) bool {
	if !anyOf(r.Tiers, t.Tier) || !anyOf(r.Channels, t.Channel) || !anyOf(r.Inboxes, t.Inbox) || !anyOfPtr(r.OrganizationIDs, t.OrganizationID) {
		return false
	}
	if len(r.Keywords) == 0 {
		return true
	}
	for _, k := range r.Keywords {
		if containsPhrase(words, search.Tokens(k)) {
			return true
		}
	}
	return false
}

// DecidePriority returns the priority the first matching active rule sets.
func DecidePriority(rules []PriorityRule, t NewTicket) (PriorityRule, bool) {
	sorted := slices.Clone(rules)
	slices.SortStableFunc(sorted, func(a, b PriorityRule) int { return a.Position - b.Position })
	words := search.Tokens(t.Subject + "\n" + t.Body)
	for _, r := range sorted {
		if r.Active && r.Matches(t, words) {
			return r, true
		}
	}
	return PriorityRule{}, false
}
