package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tessera/internal/store"
)

// Sessions are browser sign-ins of agents and contacts, kept in the
// database (table sessions) so that they survive a restart and every
// server sharing the database honours them. The cookie carries a random
// secret; only its SHA-256 is stored, as for API tokens.
type Sessions struct {
	DB *store.DB
	// TTL is how long a session lives without use (default 14 days); each
	// use extends it.
	TTL time.Duration
	Now func() time.Time
}

// Session is one sign-in.
type Session struct {
	TokenHash  string
	AgentID    int64 // one of AgentID and ContactID is set
	ContactID  int64
	Language   string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// ErrNoSession means the cookie names no live session.
var ErrNoSession = errors.New("no session")

// SessionPrefix marks session secrets, as TokenPrefix marks API tokens.
const SessionPrefix = "tss_"

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Sessions) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return 14 * 24 * time.Hour
}

// Create starts a session for an agent or a contact and returns the secret
// for the cookie.
func (s *Sessions) Create(ctx context.Context, agentID, contactID int64, lang, userAgent, remote string) (string, error) {
	if (agentID == 0) == (contactID == 0) {
		return "", fmt.Errorf("session: exactly one of agent and contact")
	}
	tok, hash, err := newSecret(SessionPrefix)
	if err != nil {
		return "", err
	}
	now := s.now()
	_, err = s.DB.Write().Exec(ctx, `INSERT INTO sessions (token_hash, agent_id, contact_id, language, user_agent, remote_addr, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
		hash, nullID(agentID), nullID(contactID), lang, clip(userAgent, 300), clip(remote, 100), now, now.Add(s.ttl()))
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return tok, nil
}

// Lookup returns the live session of a cookie secret. It extends the
// session at most once a minute, so reading pages stays a read.
func (s *Sessions) Lookup(ctx context.Context, token string) (Session, error) {
	if len(token) < len(SessionPrefix)+10 || token[:len(SessionPrefix)] != SessionPrefix {
		return Session{}, ErrNoSession
	}
	var ss Session
	var agentID, contactID *int64
	hash := HashToken(token)
	err := s.DB.Read().QueryRow(ctx, `SELECT agent_id, contact_id, language, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = $1`, hash).
		Scan(&agentID, &contactID, &ss.Language, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	now := s.now()
	if !now.Before(ss.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	ss.TokenHash = hash
	if agentID != nil {
		ss.AgentID = *agentID
	}
	if contactID != nil {
		ss.ContactID = *contactID
	}
	if now.Sub(ss.LastSeenAt) > time.Minute {
		ss.LastSeenAt, ss.ExpiresAt = now, now.Add(s.ttl())
		if _, err := s.DB.Write().Exec(ctx, `UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3`,
			ss.LastSeenAt, ss.ExpiresAt, hash); err != nil {
			return Session{}, fmt.Errorf("extend session: %w", err)
		}
	}
	return ss, nil
}

// SetLanguage records the language chosen in a session.
func (s *Sessions) SetLanguage(ctx context.Context, token, lang string) error {
	_, err := s.DB.Write().Exec(ctx, `UPDATE sessions SET language = $1 WHERE token_hash = $2`, lang, HashToken(token))
	if err != nil {
		return fmt.Errorf("set session language: %w", err)
	}
	return nil
}

// Delete ends a session (sign out).
func (s *Sessions) Delete(ctx context.Context, token string) error {
	if _, err := s.DB.Write().Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, HashToken(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteAgent ends every session of an agent (deactivated, password reset).
func (s *Sessions) DeleteAgent(ctx context.Context, agentID int64) error {
	return EndAgentSessions(ctx, s.DB.Write(), agentID)
}

// EndAgentSessions ends every session of an agent through q, so that a
// transaction deactivating an agent or resetting their password signs them
// out in the same commit.
func EndAgentSessions(ctx context.Context, q store.Querier, agentID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE agent_id = $1`, agentID); err != nil {
		return fmt.Errorf("delete agent sessions: %w", err)
	}
	return nil
}

// EndOtherAgentSessions ends every session of an agent but the one whose
// stored hash is keepHash (none kept when it is empty), through q.
func EndOtherAgentSessions(ctx context.Context, q store.Querier, agentID int64, keepHash string) error {
	if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> $2`, agentID, keepHash); err != nil {
		return fmt.Errorf("delete other agent sessions: %w", err)
	}
	return nil
}

// Purge removes expired sessions, sign-in links and old sign-in failures.
func (s *Sessions) Purge(ctx context.Context) (int64, error) {
	now := s.now()
	var total int64
	for _, q := range []struct {
		sql string
		at  time.Time
	}{
		{`DELETE FROM sessions WHERE expires_at < $1`, now},
		{`DELETE FROM login_links WHERE expires_at < $1`, now},
		{`DELETE FROM login_failures WHERE created_at < $1`, now.Add(-FailureWindow)},
	} {
		n, err := s.DB.Write().Exec(ctx, q.sql, q.at)
		if err != nil {
			return total, fmt.Errorf("purge sessions: %w", err)
		}
		total += n
	}
	return total, nil
}

// Sign-in throttling. Failures are counted per account and per client
// address over FailureWindow, in the database so that every server sees
// them; past a threshold each further attempt is refused until the window
// has moved on.
const (
	FailureWindow     = 15 * time.Minute
	MaxFailuresPerKey = 8  // per account
	MaxFailuresPerIP  = 40 // per address (an office behind one NAT)
)

// Throttled reports whether sign-in for this account or address is paused,
// and for how long.
func (s *Sessions) Throttled(ctx context.Context, account, addr string) (time.Duration, error) {
	now := s.now()
	since := now.Add(-FailureWindow)
	for _, k := range []struct {
		key string
		max int
	}{{"account:" + account, MaxFailuresPerKey}, {"addr:" + addr, MaxFailuresPerIP}} {
		var n int
		if err := s.DB.Read().QueryRow(ctx, `SELECT count(*) FROM login_failures WHERE key = $1 AND created_at >= $2`,
			k.key, since).Scan(&n); err != nil {
			return 0, fmt.Errorf("sign-in throttle: %w", err)
		}
		if n < k.max {
			continue
		}
		// Paused until the oldest failure that counts leaves the window.
		var oldest time.Time
		if err := s.DB.Read().QueryRow(ctx, `SELECT created_at FROM login_failures WHERE key = $1 AND created_at >= $2
			ORDER BY created_at LIMIT 1 OFFSET $3`, k.key, since, n-k.max).Scan(&oldest); err != nil {
			return 0, fmt.Errorf("sign-in throttle: %w", err)
		}
		return max(oldest.Add(FailureWindow).Sub(now), time.Second), nil
	}
	return 0, nil
}

// Failed records a failed sign-in.
func (s *Sessions) Failed(ctx context.Context, account, addr string) error {
	now := s.now()
	_, err := s.DB.Write().Exec(ctx, `INSERT INTO login_failures (key, created_at) VALUES ($1, $3), ($2, $3)`,
		"account:"+account, "addr:"+addr, now)
	if err != nil {
		return fmt.Errorf("record sign-in failure: %w", err)
	}
	return nil
}

// Succeeded clears an account's failures.
func (s *Sessions) Succeeded(ctx context.Context, account string) error {
	if _, err := s.DB.Write().Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, "account:"+account); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}

// CreateLink stores a one-time sign-in link for a contact and returns its
// secret.
func (s *Sessions) CreateLink(ctx context.Context, contactID int64, ttl time.Duration) (string, error) {
	tok, hash, err := newSecret("tsl_")
	if err != nil {
		return "", err
	}
	now := s.now()
	if _, err := s.DB.Write().Exec(ctx, `INSERT INTO login_links (token_hash, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, contactID, now, now.Add(ttl)); err != nil {
		return "", fmt.Errorf("create sign-in link: %w", err)
	}
	return tok, nil
}

// UseLink spends a sign-in link and returns its contact. A link works once.
func (s *Sessions) UseLink(ctx context.Context, token string) (int64, error) {
	now := s.now()
	var contactID int64
	err := s.DB.Write().QueryRow(ctx, `UPDATE login_links SET used_at = $1
		WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING contact_id`, now, HashToken(token)).Scan(&contactID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, ErrNoSession
	}
	if err != nil {
		return 0, fmt.Errorf("use sign-in link: %w", err)
	}
	return contactID, nil
}

func newSecret(prefix string) (token, hash string, err error) {
	t, _, err := NewToken()
	if err != nil {
		return "", "", err
	}
	token = prefix + t[len(TokenPrefix):]
	return token, HashToken(token), nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
