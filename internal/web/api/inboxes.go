package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"tessera/internal/inbox"
	"tessera/internal/validation"
)

func (s *Server) inboxRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/inboxes", Access: Agent, Summary: "List inboxes (their settings only for admins)", Response: List[inbox.Inbox]{}, Status: 200, h: s.listInboxes},
		{Method: "POST", Path: "/api/v1/inboxes", Access: Admin, Summary: "Create an inbox: a mailbox, web form, chat widget or API source", Request: inboxRequest{}, Response: inbox.Inbox{}, Status: 201, h: s.createInbox},
		{Method: "GET", Path: "/api/v1/inboxes/{id}", Access: Agent, Summary: "Get an inbox (its settings only for admins)", Response: inbox.Inbox{}, Status: 200, h: s.getInbox},
		{Method: "PATCH", Path: "/api/v1/inboxes/{id}", Access: Admin, Summary: "Change an inbox; deactivate it with active: false", Request: inboxRequest{}, Response: inbox.Inbox{}, Status: 200, h: s.patchInbox},
	}
}

// inboxRequest creates or changes an inbox: absent fields stay (or take
// their defaults); default_team_id may be null to clear it.
type inboxRequest struct {
	Name            *string         `json:"name,omitempty"`
	Kind            *string         `json:"kind,omitempty"`
	Address         *string         `json:"address,omitempty"`
	DefaultTeamID   json.RawMessage `json:"default_team_id,omitempty" openapi:"integer,nullable"`
	DefaultLanguage *string         `json:"default_language,omitempty"`
	DefaultPriority *string         `json:"default_priority,omitempty"`
	Settings        *map[string]any `json:"settings,omitempty"`
	Active          *bool           `json:"active,omitempty"`
	// Mail in (issue 4): type is another name for kind; imap and smtp are
	// settings.imap and settings.smtp.
	Type *string         `json:"type,omitempty"`
	IMAP *map[string]any `json:"imap,omitempty"`
	SMTP *map[string]any `json:"smtp,omitempty"`
}

func (req inboxRequest) input() (inbox.Input, error) {
	in := inbox.Input{Name: req.Name, Kind: req.Kind, Address: req.Address, DefaultLanguage: req.DefaultLanguage,
		DefaultPriority: req.DefaultPriority, Settings: req.Settings, Active: req.Active, Type: req.Type, IMAP: req.IMAP, SMTP: req.SMTP}
	team, err := optionalID("default_team_id", req.DefaultTeamID)
	if err != nil {
		return in, err
	}
	if team.Set {
		var id int64 // null: no default team
		if team.Value != nil {
			id = *team.Value
		}
		in.DefaultTeamID = &id
	}
	return in, nil
}

func (s *Server) listInboxes(w http.ResponseWriter, r *http.Request) error {
	items, err := s.App.Inboxes.List(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) getInbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.App.Inboxes.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if b.Kind == inbox.KindEmail {
		h, found, err := s.App.IMAP.Health(r.Context(), b.ID)
		if err != nil {
			return err
		}
		if found {
			b.Health = &h
		}
	}
	return ok(w, http.StatusOK, b)
}

func (s *Server) createInbox(w http.ResponseWriter, r *http.Request) error {
	var req inboxRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	if in.Kind == nil && in.Type == nil {
		return validation.Field("kind", "must be one of email, web, api, chat")
	}
	b, err := s.App.Inboxes.Create(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	s.App.MailIn.Reload()
	w.Header().Set("Location", fmt.Sprintf("/api/v1/inboxes/%d", b.ID))
	return ok(w, http.StatusCreated, b)
}

func (s *Server) patchInbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req inboxRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	b, err := s.App.Inboxes.Update(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	s.App.MailIn.Reload()
	return ok(w, http.StatusOK, b)
}
