// Package auth holds who is acting (Actor), what each role may do, agent
// passwords (argon2id) and API tokens (random secrets checked by SHA-256).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Roles of an agent.
const (
	RoleAdmin = "admin"
	RoleAgent = "agent"
	RoleLight = "light"
)

// ValidRole reports whether r names a role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleAgent || r == RoleLight }

// Kinds of actor.
const (
	KindAgent   = "agent"
	KindContact = "contact"
	KindSystem  = "system"
)

// Ticket access of an agent: every ticket, or only those of the agent's
// teams (and those assigned to the agent).
const (
	AccessAll   = "all"
	AccessTeams = "teams"
)

// Actor is whoever performs an action: an agent, a contact (customer) or the
// system itself (jobs, rules, the demo loader).
type Actor struct {
	Kind    string
	ID      int64
	Name    string
	Email   string
	Role    string
	Access  string
	TeamIDs []int64
	// OrgID is, for a contact, the organization whose tickets they may see
	// besides their own: set only when the portal shares an organization's
	// tickets with its members (zero otherwise).
	OrgID int64
}

// System is the actor of background work.
var System = Actor{Kind: KindSystem, Name: "Tessera"}

// IsAgent reports whether the actor is an agent of any role.
func (a Actor) IsAgent() bool { return a.Kind == KindAgent }

// IsAdmin reports whether the actor is an admin (or the system).
func (a Actor) IsAdmin() bool {
	return a.Kind == KindSystem || (a.Kind == KindAgent && a.Role == RoleAdmin)
}

// CanEditTickets: admins and full agents change ticket fields and reply
// publicly; light agents only read and add internal notes.
func (a Actor) CanEditTickets() bool {
	return a.Kind == KindSystem || (a.Kind == KindAgent && (a.Role == RoleAdmin || a.Role == RoleAgent))
}

// CanAddNotes: every agent, light ones included.
func (a Actor) CanAddNotes() bool { return a.Kind == KindSystem || a.Kind == KindAgent }

// SeesAllTickets reports whether the actor's ticket access is unrestricted.
func (a Actor) SeesAllTickets() bool {
	return a.Kind == KindSystem || (a.Kind == KindAgent && (a.Role == RoleAdmin || a.Access != AccessTeams))
}

// InTeam reports whether the actor belongs to team id.
func (a Actor) InTeam(id int64) bool { return slices.Contains(a.TeamIDs, id) }

// ErrForbidden is returned when an actor may not do what was asked.
var ErrForbidden = errors.New("forbidden")

// Forbidden wraps ErrForbidden with the reason shown to the caller.
func Forbidden(reason string) error { return fmt.Errorf("%w: %s", ErrForbidden, reason) }

type ctxKey struct{}

// WithActor stores the actor in the context.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// ActorFrom returns the actor in ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(ctxKey{}).(Actor)
	return a, ok
}

// Password hashing: argon2id with OWASP's second recommended setting
// (19 MiB, 2 passes, 1 lane), encoded PHC-style so parameters can change.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	if len(pw) < 8 {
		return "", errors.New("password must be at least 8 characters")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the encoded hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// TokenPrefix starts every API token, so a leaked one is recognisable.
const TokenPrefix = "tsr_"

// NewToken returns a new random API token and the hash to store.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a token. A token has 256 bits of entropy,
// so a fast hash is enough; a memory-hard one would cost every request.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
