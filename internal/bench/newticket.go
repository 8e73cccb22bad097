package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"tessera/internal/ticket"
)

// NewTicket is the i-th realistic new ticket (for benchmarks): a subject and a first
// message in one of the three languages, a requester (mostly returning
// customers), a team and sometimes tags.
func NewTicket(i int, teams []int64) ticket.CreateInput {
	r := rand.New(rand.NewPCG(uint64(i), 0xc4ea7e))
	lang := languages[pickLanguage(r)]
	subj := mild(r, len(lang.subjects))
	var t text
	t.message(r, lang, bodyLength(r), words(firstNames[r.IntN(len(firstNames)):][:1])[0], lang.topic(r, subj, nil))
	email := fmt.Sprintf("bench.customer.%d@example.com", r.IntN(5000))
	if i%5 == 0 {
		email = fmt.Sprintf("bench.new.%d.%d@example.net", i, r.Int64())
	}
	in := ticket.CreateInput{Subject: lang.subjects[subj], Body: t.b.String(),
		Requester: &ticket.RequesterInput{Email: email, Name: firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]},
		Priority:  priorities[pick(r, prioWeights)], Channel: []string{"email", "web", "api"}[r.IntN(3)]}
	if len(teams) > 0 {
		team := teams[r.IntN(len(teams))]
		in.TeamID = &team
	}
	for range pick(r, tagCounts) {
		in.Tags = append(in.Tags, tagNames[skewed(r, len(tagNames))])
	}
	return in
}

// NewTicketJSON is NewTicket as the body of POST /api/v1/tickets.
func NewTicketJSON(i int, teams []int64) []byte {
	in := NewTicket(i, teams)
	b, _ := json.Marshal(map[string]any{"subject": in.Subject, "body": in.Body, "requester": in.Requester,
		"priority": in.Priority, "channel": in.Channel, "team_id": in.TeamID, "tags": in.Tags})
	return b
}
