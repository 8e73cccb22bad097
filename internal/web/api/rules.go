package api

import (
	"context"
	"net/http"

	"tessera/internal/auth"
	"tessera/internal/automation"
)

// ruleRoutes are the triggers and automations (issue 6): agents read and
// test them, admins change them.
func (s *Server) ruleRoutes() []Route {
	var out []Route
	for _, k := range []automation.Kind{automation.KindTrigger, automation.KindAutomation} {
		base := "/api/v1/" + string(k) + "s"
		what := "triggers (rules run on ticket events, in position order)"
		if k == automation.KindAutomation {
			what = "automations (rules run when their time conditions become true)"
		}
		out = append(out,
			Route{Method: "GET", Path: base, Access: Agent, Summary: "List " + what, Response: List[automation.Rule]{}, Status: 200, h: s.listRules(k)},
			Route{Method: "POST", Path: base, Access: Admin, Summary: "Create a " + string(k) + ": conditions {all, any} of {field, op, value}, actions [{type, value}]",
				Request: automation.RuleInput{}, Response: automation.Rule{}, Status: 201, h: s.createRule(k)},
			Route{Method: "GET", Path: base + "/{id}", Access: Agent, Summary: "Get a " + string(k), Response: automation.Rule{}, Status: 200, h: s.getRule(k)},
			Route{Method: "PATCH", Path: base + "/{id}", Access: Admin, Summary: "Change a " + string(k) + " (absent fields stay)",
				Request: automation.RuleInput{}, Response: automation.Rule{}, Status: 200, h: s.patchRule(k)},
			Route{Method: "DELETE", Path: base + "/{id}", Access: Admin, Summary: "Delete a " + string(k) + " (the events it left on tickets stay)", Status: 204, h: s.deleteRule(k)},
			Route{Method: "POST", Path: base + "/{id}/test", Access: Agent, Summary: "Dry run: which conditions hold for a ticket and which actions would run; changes nothing",
				Request: automation.TestInput{}, Response: automation.DryRun{}, Status: 200, h: s.testRule(k)},
		)
	}
	return out
}

func (s *Server) listRules(k automation.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return listAll(w, r, func(ctx context.Context) ([]automation.Rule, error) { return s.App.Rules.List(ctx, k) })
	}
}

func (s *Server) createRule(k automation.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return createFrom(w, r, func(ctx context.Context, a auth.Actor, in automation.RuleInput) (automation.Rule, error) {
			return s.App.Rules.Create(ctx, a, k, in)
		})
	}
}

func (s *Server) getRule(k automation.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return getByID(w, r, func(ctx context.Context, id int64) (automation.Rule, error) { return s.App.Rules.Get(ctx, k, id) })
	}
}

func (s *Server) patchRule(k automation.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return updateByID(w, r, func(ctx context.Context, a auth.Actor, id int64, in automation.RuleInput) (automation.Rule, error) {
			return s.App.Rules.Update(ctx, a, k, id, in)
		})
	}
}

func (s *Server) deleteRule(k automation.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := s.App.Rules.Delete(r.Context(), actorOf(r), k, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Server) testRule(k automation.Kind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return updateByID(w, r, func(ctx context.Context, a auth.Actor, id int64, in automation.TestInput) (automation.DryRun, error) {
			return s.App.Rules.Test(ctx, a, k, id, in)
		})
	}
}
