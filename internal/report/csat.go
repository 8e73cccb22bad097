package report

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/jobs"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/i18n"
)

// SurveyWindow is how long after a solve the customer may answer the
// satisfaction survey, and change their answer.
const SurveyWindow = 7 * 24 * time.Hour

// ErrSurveyClosed is returned when a survey's answer window has passed.
var ErrSurveyClosed = errors.New("the survey is closed")

// Ratings a customer may give.
const (
	Good = "good"
	Bad  = "bad"
)

// Survey is what a survey link shows: the ticket and the answer so far.
type Survey struct {
	TicketID  int64     `json:"ticket_id"`
	Number    int64     `json:"number"`
	Subject   string    `json:"subject"`
	Rating    string    `json:"rating"` // "" until answered
	Comment   string    `json:"comment"`
	ExpiresAt time.Time `json:"expires_at"`
	Open      bool      `json:"open"`
}

// Rating is a ticket's satisfaction answer.
type Rating struct {
	Rating    string    `json:"rating"`
	Comment   string    `json:"comment"`
	AgentID   *int64    `json:"agent_id"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OfferSurvey stores a fresh survey link for a solved ticket, inside the
// solve's transaction, and returns its secret. agentID is who solved it.
func OfferSurvey(ctx context.Context, tx *store.Tx, ticketID int64, agentID *int64, at time.Time) (string, error) {
	tok, _, err := auth.NewToken()
	if err != nil {
		return "", fmt.Errorf("survey token: %w", err)
	}
	tok = "tss_" + tok[len(auth.TokenPrefix):]
	if _, err := tx.Exec(ctx, `INSERT INTO surveys (ticket_id, token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (ticket_id) DO UPDATE SET token_hash = excluded.token_hash, agent_id = excluded.agent_id,
		created_at = excluded.created_at, expires_at = excluded.expires_at`,
		ticketID, auth.HashToken(tok), agentID, at, at.Add(SurveyWindow)); err != nil {
		return "", fmt.Errorf("offer survey for ticket %d: %w", ticketID, err)
	}
	return tok, nil
}

// Survey finds a survey by its link's secret; an unknown or replaced link
// is not found.
func (s *Service) Survey(ctx context.Context, token string, now time.Time) (Survey, error) {
	var v Survey
	var rating, comment *string
	err := s.DB.Read().QueryRow(ctx, `SELECT t.id, t.number, t.subject, r.rating, r.comment, v.expires_at
		FROM surveys v JOIN tickets t ON t.id = v.ticket_id LEFT JOIN survey_responses r ON r.ticket_id = v.ticket_id
		WHERE v.token_hash = $1`, auth.HashToken(token)).Scan(&v.TicketID, &v.Number, &v.Subject, &rating, &comment, &v.ExpiresAt)
	if err != nil {
		return v, fmt.Errorf("survey: %w", err)
	}
	if rating != nil {
		v.Rating, v.Comment = *rating, *comment
	}
	v.Open = now.Before(v.ExpiresAt)
	return v, nil
}

// Answer records (or changes) the customer's answer while the survey is
// open. The rating counts for the agent who solved the ticket.
func (s *Service) Answer(ctx context.Context, token, rating, comment string, now time.Time) (Survey, error) {
	comment, err := checkAnswer(rating, comment)
	if err != nil {
		return Survey{}, err
	}
	v, err := s.Survey(ctx, token, now)
	if err != nil {
		return v, err
	}
	return s.answer(ctx, v, rating, comment, now)
}

// TicketSurvey returns the survey offered for a ticket, or nil when none
// was (the portal shows it to the signed-in requester, who needs no link).
// The caller has already checked that the viewer may answer for the ticket.
func (s *Service) TicketSurvey(ctx context.Context, ticketID int64, now time.Time) (*Survey, error) {
	var v Survey
	var rating, comment *string
	err := s.DB.Read().QueryRow(ctx, `SELECT t.id, t.number, t.subject, r.rating, r.comment, v.expires_at
		FROM surveys v JOIN tickets t ON t.id = v.ticket_id LEFT JOIN survey_responses r ON r.ticket_id = v.ticket_id
		WHERE v.ticket_id = $1`, ticketID).Scan(&v.TicketID, &v.Number, &v.Subject, &rating, &comment, &v.ExpiresAt)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("survey of ticket %d: %w", ticketID, err)
	}
	if rating != nil {
		v.Rating, v.Comment = *rating, *comment
	}
	v.Open = now.Before(v.ExpiresAt)
	return &v, nil
}

// AnswerTicket records (or changes) the answer to a ticket's survey, as
// Answer does for a link; the caller has checked that the viewer is the
// ticket's requester. A ticket never offered a survey has none to answer.
func (s *Service) AnswerTicket(ctx context.Context, ticketID int64, rating, comment string, now time.Time) (Survey, error) {
	comment, err := checkAnswer(rating, comment)
	if err != nil {
		return Survey{}, err
	}
	v, err := s.TicketSurvey(ctx, ticketID, now)
	if err != nil {
		return Survey{}, err
	}
	if v == nil {
		return Survey{}, fmt.Errorf("survey of ticket %d: %w", ticketID, store.ErrNotFound)
	}
	return s.answer(ctx, *v, rating, comment, now)
}

// checkAnswer validates an answer and returns the trimmed comment.
func checkAnswer(rating, comment string) (string, error) {
	comment = strings.TrimSpace(comment)
	c := validation.Collector{}
	if rating != Good && rating != Bad {
		c.Add("rating", "must be good or bad")
	}
	c.Text("comment", comment, 2000, false)
	return comment, c.Err()
}

func (s *Service) answer(ctx context.Context, v Survey, rating, comment string, now time.Time) (Survey, error) {
	if !v.Open {
		return v, ErrSurveyClosed
	}
	now = now.UTC()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO survey_responses (ticket_id, agent_id, rating, comment, created_at, updated_at)
			SELECT ticket_id, agent_id, $2, $3, $4, $4 FROM surveys WHERE ticket_id = $1
			ON CONFLICT (ticket_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, agent_id = excluded.agent_id, updated_at = excluded.updated_at`,
			v.TicketID, rating, comment, now)
		return err
	})
	if err != nil {
		return v, fmt.Errorf("answer survey: %w", err)
	}
	v.Rating, v.Comment = rating, comment
	return v, nil
}

// Rating returns a ticket's satisfaction answer, or nil when there is none.
// The caller has already checked that the viewer may see the ticket.
func (s *Service) Rating(ctx context.Context, ticketID int64) (*Rating, error) {
	var r Rating
	err := s.DB.Read().QueryRow(ctx, `SELECT rating, comment, agent_id, updated_at FROM survey_responses WHERE ticket_id = $1`, ticketID).
		Scan(&r.Rating, &r.Comment, &r.AgentID, &r.UpdatedAt)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("rating of ticket %d: %w", ticketID, err)
	}
	return &r, nil
}

// AgentCSAT counts the answers about an agent's solves, all time.
func (s *Service) AgentCSAT(ctx context.Context, agentID int64) (CSAT, error) {
	var out CSAT
	rows, err := s.DB.Read().Query(ctx, `SELECT rating, COUNT(*) FROM survey_responses WHERE agent_id = $1 GROUP BY rating`, agentID)
	if err != nil {
		return out, fmt.Errorf("agent csat: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		var n int
		if err := rows.Scan(&r, &n); err != nil {
			return out, fmt.Errorf("agent csat: %w", err)
		}
		if r == Good {
			out.Good = n
		} else {
			out.Bad = n
		}
	}
	if v := ratio(out.Good, out.Good+out.Bad); v != nil {
		p := *v * 100
		out.Score = &p
	}
	return out, rows.Err()
}

// SurveyHook implements ticket.FollowUp: when a ticket is solved it offers
// the survey and enqueues the mail that carries the link, in the solve's
// transaction, so a rolled-back solve sends nothing.
type SurveyHook struct {
	Queue     *jobs.Queue
	PublicURL string
	I18n      *i18n.Bundle
}

// TicketChanged offers a survey when the change solved the ticket.
func (h SurveyHook) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	for _, e := range c.Events {
		if e.Type != ticket.EventField || e.Field != "status" {
			continue
		}
		var oldCat, newCat string
		if err := tx.QueryRow(ctx, `SELECT COALESCE((SELECT category FROM statuses WHERE key = $1), ''), COALESCE((SELECT category FROM statuses WHERE key = $2), '')`,
			e.OldValue, e.NewValue).Scan(&oldCat, &newCat); err != nil {
			return fmt.Errorf("status categories: %w", err)
		}
		if newCat != ticket.StatusSolved || oldCat == ticket.StatusSolved {
			continue
		}
		if !e.CreatedAt.Add(SurveyWindow).After(store.Now()) {
			return nil // an imported (backdated) solve: its survey would already be closed
		}
		var agentID *int64
		if c.Actor.Kind == auth.KindAgent {
			agentID = &c.Actor.ID
		}
		tok, err := OfferSurvey(ctx, tx, c.TicketID, agentID, e.CreatedAt)
		if err != nil {
			return err
		}
		return h.mail(ctx, tx, c.TicketID, tok)
	}
	return nil
}

func (h SurveyHook) mail(ctx context.Context, tx *store.Tx, ticketID int64, tok string) error {
	if h.Queue == nil || h.I18n == nil {
		return nil
	}
	var number int64
	var subject, name, lang string
	var email *string
	err := tx.QueryRow(ctx, `SELECT t.number, t.subject, c.name, c.language,
		(SELECT i.value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email' ORDER BY i.is_primary DESC, i.id LIMIT 1)
		FROM tickets t JOIN contacts c ON c.id = t.requester_id WHERE t.id = $1`, ticketID).Scan(&number, &subject, &name, &lang, &email)
	if err != nil {
		return fmt.Errorf("survey recipient: %w", err)
	}
	if email == nil {
		return nil // no address to ask; the survey waits unanswered
	}
	l := h.I18n.For(lang)
	link := h.PublicURL + "/help/survey/" + tok
	days := int(SurveyWindow / (24 * time.Hour))
	text := l.T("csat.mail.body", name, strconv.FormatInt(number, 10), subject, link, days) + "\n\n" + l.T("portal.mail.signature")
	return h.Queue.InsertTx(ctx, tx, jobs.SendMailArgs{To: *email, Name: name, Subject: l.T("csat.mail.subject", strconv.FormatInt(number, 10)), Text: text, Link: link}, nil)
}

// FollowUps runs several follow-up hooks in order.
type FollowUps []ticket.FollowUp

// TicketChanged runs each hook; the first error stops the change.
func (fs FollowUps) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	for _, f := range fs {
		if err := f.TicketChanged(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}
