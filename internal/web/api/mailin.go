package api

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"tessera/internal/channel/email/ingest"
)

// mailInRoutes are the failed-mail list and the original mail of a
// message (issue 4, mail in).
func (s *Server) mailInRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/failed-mail", Access: Admin, Summary: "Mail that could not be parsed or stored, kept raw (open entries; all=true for resolved ones too)",
			Response: List[ingest.Failed]{}, Status: 200, Query: []QueryParam{{"all", "boolean", "include resolved entries"}, {"limit", "integer", "at most this many, 1 to 1000 (default 200)"}}, h: s.listFailedMail},
		{Method: "GET", Path: "/api/v1/failed-mail/{id}/raw", Access: Admin, Summary: "Download a failed mail exactly as received (message/rfc822)", Status: 200, h: s.failedMailRaw},
		{Method: "POST", Path: "/api/v1/failed-mail/{id}/retry", Access: Admin, Summary: "Ingest a failed mail again; stored, it is resolved", Response: ingest.Result{}, Status: 200, h: s.retryFailedMail},
		{Method: "DELETE", Path: "/api/v1/failed-mail/{id}", Access: Admin, Summary: "Dismiss a failed mail (its bytes are kept)", Status: 204, h: s.dismissFailedMail},
		{Method: "GET", Path: "/api/v1/messages/{id}/raw", Access: Agent, Summary: "Download the original mail a message was made from (message/rfc822)", Status: 200, h: s.messageRaw},
	}
}

func (s *Server) listFailedMail(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 200, 1, 1000)
	if err != nil {
		return err
	}
	all, _ := strconv.ParseBool(r.URL.Query().Get("all"))
	items, err := s.App.FailedMail.List(r.Context(), actorOf(r), all, limit)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

// writeEML sends mail bytes as a download, never rendered as a page.
func writeEML(w http.ResponseWriter, name string, data []byte) error {
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err := w.Write(data)
	return err
}

func (s *Server) failedMailRaw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, data, err := s.App.FailedMail.Raw(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return writeEML(w, fmt.Sprintf("failed-mail-%d.eml", id), data)
}

func (s *Server) retryFailedMail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := s.App.FailedMail.Retry(r.Context(), actorOf(r), id, s.App.MailIngester)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, res)
}

func (s *Server) dismissFailedMail(w http.ResponseWriter, r *http.Request) error {
	return deleteByID(w, r, s.App.FailedMail.Dismiss)
}

func (s *Server) messageRaw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	data, err := s.App.Tickets.RawMail(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return writeEML(w, fmt.Sprintf("message-%d.eml", id), data)
}
