package people

import (
	"context"
	"errors"
	"fmt"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// What the customer portal needs of contacts: finding one by any of their
// addresses, the web form's find-or-create, and portal passwords.

// ContactByEmail returns the contact that owns an email identity, whichever
// of their addresses it is (store.ErrNotFound if none does).
func (s *Service) ContactByEmail(ctx context.Context, email string) (Contact, error) {
	e, ok := NormalizeEmail(email)
	if !ok {
		return Contact{}, fmt.Errorf("contact by email: %w", store.ErrNotFound)
	}
	var id int64
	err := s.DB.Read().QueryRow(ctx, `SELECT contact_id FROM contact_identities WHERE kind = 'email' AND value = $1`, e).Scan(&id)
	if err != nil {
		return Contact{}, fmt.Errorf("contact by email: %w", err)
	}
	return s.GetContact(ctx, id)
}

// EnsureContact returns the contact that owns an email address, creating
// one (named name, speaking lang) if nobody does: a customer who writes
// from the web form is known by their address from then on. A contact
// without a language takes lang; one who has a language keeps it.
func (s *Service) EnsureContact(ctx context.Context, email, name, lang string) (Contact, error) {
	if lang != "" && !validLanguage(lang) {
		lang = ""
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if id, _, err = FindOrCreateByEmail(ctx, tx, email, name); err != nil {
			return err
		}
		if lang != "" {
			if _, err := tx.Exec(ctx, `UPDATE contacts SET language = $1 WHERE id = $2 AND language = ''`, lang, id); err != nil {
				return fmt.Errorf("contact language: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Contact{}, err
	}
	return s.GetContact(ctx, id)
}

// SetContactPassword sets the portal password of a contact. Only the
// contact themself (signed in) or an admin may.
func (s *Service) SetContactPassword(ctx context.Context, actor auth.Actor, contactID int64, password string) error {
	if !(actor.Kind == auth.KindContact && actor.ID == contactID) && !actor.IsAdmin() {
		return auth.Forbidden("only the contact may set their password")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return validation.Field("password", "must be at least 8 characters")
	}
	n, err := s.DB.Write().Exec(ctx, `UPDATE contacts SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, store.Now(), contactID)
	if err != nil {
		return fmt.Errorf("set contact password: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("contact %d: %w", contactID, store.ErrNotFound)
	}
	return nil
}

// HasContactPassword reports whether a contact has set a portal password.
func (s *Service) HasContactPassword(ctx context.Context, contactID int64) (bool, error) {
	var hash string
	if err := s.DB.Read().QueryRow(ctx, `SELECT password_hash FROM contacts WHERE id = $1`, contactID).Scan(&hash); err != nil {
		return false, fmt.Errorf("contact password: %w", err)
	}
	return hash != "", nil
}

// CheckContactPassword returns the contact for an email address and portal
// password, or ErrUnauthenticated. An unknown address costs as much time
// as a wrong password, so timing tells nothing about who is a customer.
func (s *Service) CheckContactPassword(ctx context.Context, email, password string) (Contact, error) {
	e, _ := NormalizeEmail(email)
	var id int64
	var hash string
	err := s.DB.Read().QueryRow(ctx, `SELECT c.id, c.password_hash FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
		WHERE i.kind = 'email' AND i.value = $1`, e).Scan(&id, &hash)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Contact{}, fmt.Errorf("check contact password: %w", err)
	}
	if hash == "" {
		auth.CheckPassword(dummyHash, password)
		return Contact{}, ErrUnauthenticated
	}
	if !auth.CheckPassword(hash, password) {
		return Contact{}, ErrUnauthenticated
	}
	return s.GetContact(ctx, id)
}

// dummyHash is checked against when there is no real hash, for equal cost.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
