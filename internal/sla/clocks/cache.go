package clocks

import (
	"context"
	"sync"
	"time"

	"tessera/internal/sla"
	"tessera/internal/store"
)

// cacheTTL bounds how long a server uses its copy of the active policies
// and priority rules: every ticket change reads them, they change rarely.
// A save on this server takes effect at once; on other servers sharing the
// database within cacheTTL.
const cacheTTL = 2 * time.Second

type configCache struct {
	mu       sync.Mutex
	loaded   time.Time
	policies []sla.Policy
	rules    []sla.PriorityRule
}

// active returns the active policies and priority rules.
func (s *Service) active(ctx context.Context, q store.Querier) ([]sla.Policy, []sla.PriorityRule, error) {
	c := &s.cache
	c.mu.Lock()
	if time.Since(c.loaded) < cacheTTL {
		ps, rs := c.policies, c.rules
		c.mu.Unlock()
		return ps, rs, nil
	}
	c.mu.Unlock()
	ps, err := policies(ctx, q, true)
	if err != nil {
		return nil, nil, err
	}
	rs, err := priorityRules(ctx, q, true)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	c.policies, c.rules, c.loaded = ps, rs, time.Now()
	c.mu.Unlock()
	return ps, rs, nil
}

// forget drops the cached configuration after a save.
func (s *Service) forget() {
	s.cache.mu.Lock()
	s.cache.loaded = time.Time{}
	s.cache.mu.Unlock()
}
