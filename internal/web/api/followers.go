package api

import (
	"fmt"
	"net/http"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/validation"
)

// followersRequest adds followers to a ticket.
type followersRequest struct {
	ContactIDs []int64  `json:"contact_ids,omitempty"`
	Emails     []string `json:"emails,omitempty"`
}

func (s *Server) listFollowers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	items, err := s.App.Tickets.Followers(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) addFollowers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req followersRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.ContactIDs)+len(req.Emails) == 0 {
		return validation.Field("contact_ids", "name at least one contact id or email address")
	}
	actor := actorOf(r)
	// Checked before any contact is made for an address, so that a refused
	// call leaves nothing behind.
	if !actor.CanEditTickets() {
		return auth.Forbidden("only agents and admins change followers")
	}
	if err := s.App.Tickets.Visible(r.Context(), actor, id); err != nil {
		return err
	}
	ids := append([]int64(nil), req.ContactIDs...)
	for i, e := range req.Emails {
		if _, ok := people.NormalizeEmail(e); !ok {
			return validation.Field(fmt.Sprintf("emails[%d]", i), "must be an email address")
		}
	}
	for _, e := range req.Emails {
		c, err := s.App.People.EnsureContact(r.Context(), e, "", "")
		if err != nil {
			return err
		}
		ids = append(ids, c.ID)
	}
	items, err := s.App.Tickets.AddFollowers(r.Context(), actor, id, ids)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) removeFollower(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "contact_id")
	if err != nil {
		return err
	}
	if err := s.App.Tickets.RemoveFollower(r.Context(), actorOf(r), id, cid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
