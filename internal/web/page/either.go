package page

import (
	"net/http"

	"tessera/internal/auth"
)

// SignedInAgent returns the agent signed in to the workspace, for a page
// of the portal that agents read too (a knowledge base file of an article
// for agents only); ok is false when no agent is signed in.
func (s *Site) SignedInAgent(r *http.Request) (actor auth.Actor, ok bool, err error) {
	v, err := s.agentViewer(r)
	if err != nil || v == nil {
		return auth.Actor{}, false, err
	}
	return v.Actor, true, nil
}
