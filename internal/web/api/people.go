package api

import (
	"fmt"
	"net/http"
	"strconv"

	"tessera/internal/auth"
	"tessera/internal/notify"
	"tessera/internal/people"
	"tessera/internal/validation"
)

func afterCursor(r *http.Request) (int64, error) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(c, 10, 64)
	if err != nil || id < 0 {
		return 0, validation.Field("cursor", "is not a cursor from this API")
	}
	return id, nil
}

// pageOf trims a list fetched with limit+1 rows to limit and returns the
// cursor of the next page, empty when this one is the last.
func pageOf[T any](items []T, limit int, id func(T) int64) List[T] {
	if len(items) <= limit {
		return list(items, "")
	}
	items = items[:limit]
	return list(items, strconv.FormatInt(id(items[limit-1]), 10))
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 25, 1, 100)
	if err != nil {
		return err
	}
	after, err := afterCursor(r)
	if err != nil {
		return err
	}
	org, err := queryID(r, "organization_id")
	if err != nil {
		return err
	}
	var orgID int64
	if org != nil {
		orgID = *org
	}
	cs, err := s.App.People.ListContacts(r.Context(), r.URL.Query().Get("q"), orgID, after, limit+1)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, pageOf(cs, limit, func(c people.Contact) int64 { return c.ID }))
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var in people.ContactInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.App.People.CreateContact(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/contacts/%d", c.ID))
	return ok(w, http.StatusCreated, c)
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) error {
	return getByID(w, r, s.App.People.GetContact)
}

// contactPatchRequest is what PATCH changes of a contact: its identities
// (email, emails, phones) are not among them.
type contactPatchRequest struct {
	Name           *string `json:"name"`
	OrganizationID *int64  `json:"organization_id"`
	Tier           *string `json:"tier"`
	Language       *string `json:"language"`
	TimeZone       *string `json:"time_zone"`
	Notes          *string `json:"notes"`
}

func (s *Server) patchContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req contactPatchRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	in := people.ContactInput{Name: req.Name, OrganizationID: req.OrganizationID, Tier: req.Tier, Language: req.Language, TimeZone: req.TimeZone, Notes: req.Notes}
	c, err := s.App.People.UpdateContact(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, c)
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 25, 1, 100)
	if err != nil {
		return err
	}
	after, err := afterCursor(r)
	if err != nil {
		return err
	}
	os, err := s.App.People.ListOrganizations(r.Context(), after, limit+1)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, pageOf(os, limit, func(o people.Organization) int64 { return o.ID }))
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.People.CreateOrganization)
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request) error {
	return getByID(w, r, s.App.People.GetOrganization)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	a, err := s.App.People.GetAgent(r.Context(), actorOf(r).ID)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, a)
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	return listAll(w, r, s.App.People.ListAgents)
}

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.People.CreateAgent)
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request) error {
	return getByID(w, r, s.App.People.GetAgent)
}

func (s *Server) patchAgent(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.People.UpdateAgent)
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	return listAll(w, r, s.App.People.ListTeams)
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.People.CreateTeam)
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) error {
	return getByID(w, r, s.App.People.GetTeam)
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 25, 1, 100)
	if err != nil {
		return err
	}
	before, err := afterCursor(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	if a.Kind != auth.KindAgent {
		return auth.Forbidden("agents only")
	}
	ns, err := notify.List(r.Context(), s.App.DB, a.ID, before, limit+1)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, pageOf(ns, limit, func(n notify.Notification) int64 { return n.ID }))
}
