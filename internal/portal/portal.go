// Package portal holds the customer portal's settings, which an admin
// chooses: whether customers pick a priority on the web form, whether
// members of an organization see each other's requests, and whether
// customers may sign in with a password besides one-time links. They are
// kept in the settings table under portal.* keys, so every server reads
// the same.
package portal

import (
	"context"
	"fmt"
	"strconv"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
)

// Settings are the portal's settings. The zero value is the default: the
// most private choice for each.
type Settings struct {
	// AllowPriority shows a priority choice on the web form.
	AllowPriority bool `json:"allow_priority"`
	// ShareOrganization lets a contact see (and answer on) the requests of
	// the other members of their organization.
	ShareOrganization bool `json:"share_organization"`
	// AllowPassword lets contacts set a password and sign in with it, not
	// only with a link sent by mail.
	AllowPassword bool `json:"allow_password"`
}

// Input changes some settings; absent ones stay as they are.
type Input struct {
	AllowPriority     *bool `json:"allow_priority"`
	ShareOrganization *bool `json:"share_organization"`
	AllowPassword     *bool `json:"allow_password"`
}

const (
	keyPriority = "portal.allow_priority"
	keyShareOrg = "portal.share_organization"
	keyPassword = "portal.allow_password"
)

// Service reads and changes the settings.
type Service struct {
	DB *store.DB
}

// Get returns the current settings, with one query.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT key, value FROM settings WHERE key IN ($1, $2, $3)`, keyPriority, keyShareOrg, keyPassword)
	if err != nil {
		return Settings{}, fmt.Errorf("portal settings: %w", err)
	}
	defer rows.Close()
	var st Settings
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return Settings{}, fmt.Errorf("portal settings: %w", err)
		}
		b, _ := strconv.ParseBool(v)
		switch k {
		case keyPriority:
			st.AllowPriority = b
		case keyShareOrg:
			st.ShareOrganization = b
		case keyPassword:
			st.AllowPassword = b
		}
	}
	return st, rows.Err()
}

// Show returns the settings to an admin who manages them. (The portal
// itself reads them with Get: they decide what every visitor sees.)
func (s *Service) Show(ctx context.Context, actor auth.Actor) (Settings, error) {
	if !actor.IsAdmin() {
		return Settings{}, auth.Forbidden("only admins manage the portal settings")
	}
	return s.Get(ctx)
}

// Update changes the settings (admins only) and records it in the audit log.
func (s *Service) Update(ctx context.Context, actor auth.Actor, in Input) (Settings, error) {
	if !actor.IsAdmin() {
		return Settings{}, auth.Forbidden("only admins change the portal settings")
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, kv := range []struct {
			key string
			v   *bool
		}{{keyPriority, in.AllowPriority}, {keyShareOrg, in.ShareOrganization}, {keyPassword, in.AllowPassword}} {
			if kv.v == nil {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
				kv.key, strconv.FormatBool(*kv.v)); err != nil {
				return fmt.Errorf("portal setting %s: %w", kv.key, err)
			}
			if err := auth.Audit(ctx, tx, actor, "settings.update", kv.key, strconv.FormatBool(*kv.v)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Settings{}, err
	}
	return s.Get(ctx)
}

// Actor is who a signed-in contact acts as: their own requests, and their
// organization's when the portal shares them.
func (st Settings) Actor(c people.Contact) auth.Actor {
	a := auth.Actor{Kind: auth.KindContact, ID: c.ID, Name: c.Name, Email: c.Email}
	if st.ShareOrganization && c.OrganizationID != nil {
		a.OrgID = *c.OrganizationID
	}
	return a
}
