package api

import (
	"net/http"

	"tessera/internal/channel/email/outbound"
)

// Email channel, outbound: mail templates, inboxes' acknowledgement
// switches, agents' notification mails.
func (s *Server) mailOutRoutes() []Route {
	tq := []QueryParam{{"inbox_id", "integer", "the inbox's own version (absent: the one for every inbox)"}}
	return []Route{
		{Method: "GET", Path: "/api/v1/mail-templates", Access: Admin, Summary: "Mail templates (acknowledgement, agents' notifications) in every language", Response: List[outbound.Template]{}, Status: 200, Query: tq, h: s.listMailTemplates},
		{Method: "GET", Path: "/api/v1/mail-templates/{key}/{language}", Access: Admin, Summary: "One mail template", Response: outbound.Template{}, Status: 200, Query: tq, h: s.getMailTemplate},
		{Method: "PUT", Path: "/api/v1/mail-templates/{key}/{language}", Access: Admin, Summary: "Change a mail template (for every inbox, or one with inbox_id)", Request: outbound.TemplateInput{}, Response: outbound.Template{}, Status: 200, h: s.putMailTemplate},
		{Method: "DELETE", Path: "/api/v1/mail-templates/{key}/{language}", Access: Admin, Summary: "Reset a mail template to the built-in text", Response: outbound.Template{}, Status: 200, Query: tq, h: s.resetMailTemplate},
		{Method: "GET", Path: "/api/v1/inboxes/{id}/mail-options", Access: Admin, Summary: "An inbox's acknowledgement switch and sender rate limit", Response: outbound.InboxOptions{}, Status: 200, h: s.getInboxMailOptions},
		{Method: "PATCH", Path: "/api/v1/inboxes/{id}/mail-options", Access: Admin, Summary: "Change an inbox's acknowledgement switch and sender rate limit", Request: outbound.InboxOptionsInput{}, Response: outbound.InboxOptions{}, Status: 200, h: s.patchInboxMailOptions},
		{Method: "GET", Path: "/api/v1/me/mail-preferences", Access: Agent, Summary: "Which of your notifications also come by mail", Response: outbound.AgentPrefs{}, Status: 200, h: s.getMailPrefs},
		{Method: "PUT", Path: "/api/v1/me/mail-preferences", Access: Agent, Summary: "Choose which of your notifications also come by mail", Request: outbound.AgentPrefs{}, Response: outbound.AgentPrefs{}, Status: 200, h: s.putMailPrefs},
	}
}

func (s *Server) listMailTemplates(w http.ResponseWriter, r *http.Request) error {
	inboxID, err := queryID(r, "inbox_id")
	if err != nil {
		return err
	}
	items, err := s.App.MailTemplates.List(r.Context(), actorOf(r), inboxID)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) getMailTemplate(w http.ResponseWriter, r *http.Request) error {
	inboxID, err := queryID(r, "inbox_id")
	if err != nil {
		return err
	}
	t, err := s.App.MailTemplates.Get(r.Context(), actorOf(r), r.PathValue("key"), r.PathValue("language"), inboxID)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, t)
}

func (s *Server) putMailTemplate(w http.ResponseWriter, r *http.Request) error {
	var in outbound.TemplateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := s.App.MailTemplates.Save(r.Context(), actorOf(r), r.PathValue("key"), r.PathValue("language"), in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, t)
}

func (s *Server) resetMailTemplate(w http.ResponseWriter, r *http.Request) error {
	inboxID, err := queryID(r, "inbox_id")
	if err != nil {
		return err
	}
	t, err := s.App.MailTemplates.Reset(r.Context(), actorOf(r), r.PathValue("key"), r.PathValue("language"), inboxID)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, t)
}

func (s *Server) getInboxMailOptions(w http.ResponseWriter, r *http.Request) error {
	return getAsActor(w, r, s.App.MailOptions.Inbox)
}

func (s *Server) patchInboxMailOptions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in outbound.InboxOptionsInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := s.App.MailOptions.SetInbox(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, o)
}

func (s *Server) getMailPrefs(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	p, err := s.App.MailOptions.Agent(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, p)
}

func (s *Server) putMailPrefs(w http.ResponseWriter, r *http.Request) error {
	var in outbound.AgentPrefs
	if err := decode(r, &in); err != nil {
		return err
	}
	a := actorOf(r)
	p, err := s.App.MailOptions.SetAgent(r.Context(), a, a.ID, in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, p)
}
