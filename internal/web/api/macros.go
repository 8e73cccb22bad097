package api

import (
	"mime"
	"net/http"
	"strconv"

	"tessera/internal/macro"
	"tessera/internal/validation"
)

// Macros (feature kbmacros): canned replies with placeholders and ticket
// actions; applied to a ticket, previewed first.

func (s *Server) macroRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/macros", Access: Agent, Summary: "List the macros you may use (shared and your own), by name; q searches names and texts", Response: List[macro.Macro]{}, Status: 200,
			Query: []QueryParam{{"q", "string", "words of the name or text (accents and case ignored)"}, {"active", "boolean", "true: only active macros"}}, h: s.listMacros},
		{Method: "POST", Path: "/api/v1/macros", Access: Agent, Summary: "Write a macro: personal, or shared (admins); placeholders such as {{ticket.number}} are checked", Request: macro.MacroInput{}, Response: macro.Macro{}, Status: 201, h: s.createMacro},
		{Method: "GET", Path: "/api/v1/macros/{id}", Access: Agent, Summary: "Get a macro", Response: macro.Macro{}, Status: 200, h: s.getMacro},
		{Method: "PATCH", Path: "/api/v1/macros/{id}", Access: Agent, Summary: "Change a macro (shared ones: admins; personal ones: their owner)", Request: macro.MacroInput{}, Response: macro.Macro{}, Status: 200, h: s.patchMacro},
		{Method: "DELETE", Path: "/api/v1/macros/{id}", Access: Agent, Summary: "Delete a macro (shared ones: admins; personal ones: their owner)", Status: 204, h: s.deleteMacro},
		{Method: "GET", Path: "/api/v1/macros/{id}/attachments", Access: Agent, Summary: "A macro's files (sent with the reply the macro writes)", Response: List[macro.File]{}, Status: 200, h: s.macroFiles},
		{Method: "POST", Path: "/api/v1/macros/{id}/attachments", Access: Agent, Summary: "Attach files to a macro (multipart/form-data, parts named attachments; together they must fit in one message)",
			Form: articleFilesForm, Response: List[macro.File]{}, Status: 201, h: s.attachMacroFiles},
		{Method: "GET", Path: "/api/v1/macros/{id}/attachments/{aid}", Access: Agent, Summary: "Download a macro's file, to send it with the reply", Status: 200, h: s.macroFile},
		{Method: "DELETE", Path: "/api/v1/macros/{id}/attachments/{aid}", Access: Agent, Summary: "Remove a file from a macro", Status: 204, h: s.deleteMacroFile},
		{Method: "POST", Path: "/api/v1/tickets/{id}/macros/{macro_id}/apply", Access: Agent, Summary: "Preview or apply a macro: the reply text rendered in the requester's language, and its actions run on the ticket (not on a preview)",
			Request: applyMacroRequest{}, Response: macro.Applied{}, Status: 200, h: s.applyMacro},
	}
}

func (s *Server) listMacros(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	items, err := s.App.Macros.List(r.Context(), actorOf(r), macro.ListOptions{Query: q.Get("q"), ActiveOnly: q.Get("active") == "true"})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) createMacro(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.Macros.Create)
}

func (s *Server) getMacro(w http.ResponseWriter, r *http.Request) error {
	return getAsActor(w, r, s.App.Macros.Get)
}

func (s *Server) patchMacro(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.Macros.Update)
}

func (s *Server) deleteMacro(w http.ResponseWriter, r *http.Request) error {
	return deleteByID(w, r, s.App.Macros.Delete)
}

// applyMacroRequest: preview renders without changing anything.
type applyMacroRequest struct {
	Preview bool `json:"preview"`
}

func (s *Server) applyMacro(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	mid, err := pathID(r, "macro_id")
	if err != nil {
		return err
	}
	var req applyMacroRequest
	// An empty body applies: {"preview": true} is what asks for a preview.
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			return err
		}
	}
	res, err := s.App.Macros.Apply(r.Context(), actorOf(r), id, mid, req.Preview)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, res)
}

func (s *Server) macroFiles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	items, err := s.App.Macros.Files(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) attachMacroFiles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return validation.Field("body", "send the files as multipart/form-data, in parts named attachments")
	}
	files, err := multipartFiles(r, articleFilesForm)
	if err != nil {
		return err
	}
	items, err := s.App.Macros.Attach(r.Context(), actorOf(r), id, files)
	if err != nil {
		return err
	}
	return ok(w, http.StatusCreated, list(items, ""))
}

func (s *Server) macroFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	f, data, err := s.App.Macros.FileData(r.Context(), actorOf(r), id, aid)
	if err != nil {
		return err
	}
	// Never render uploaded content inline as a page of ours.
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

func (s *Server) deleteMacroFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	if err := s.App.Macros.DeleteFile(r.Context(), actorOf(r), id, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
