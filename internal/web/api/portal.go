package api

import (
	"net/http"

	"tessera/internal/portal"
)

func (s *Server) portalRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/settings/portal", Access: Admin, Summary: "The customer portal's settings", Response: portal.Settings{}, Status: 200, h: s.getPortalSettings},
		{Method: "PUT", Path: "/api/v1/settings/portal", Access: Admin, Summary: "Change the customer portal's settings (absent ones stay as they are)", Request: portal.Input{}, Response: portal.Settings{}, Status: 200, h: s.putPortalSettings},
	}
}

func (s *Server) getPortalSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.App.Portal.Show(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, st)
}

func (s *Server) putPortalSettings(w http.ResponseWriter, r *http.Request) error {
	var in portal.Input
	if err := decode(r, &in); err != nil {
		return err
	}
	st, err := s.App.Portal.Update(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, st)
}
