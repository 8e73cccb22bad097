// Package demo loads the demo data set. (Being written; see the demo task.)
package demo

import (
	"context"

	"tessera/internal/app"
)

// Options configure the demo loader.
type Options struct {
	Seed int64
}

// Login is a demo agent's sign-in.
type Login struct {
	Email, Password, Role string
}

// Result summarises what was loaded.
type Result struct {
	Tickets, Contacts, Organizations, Teams int
	Logins                                  []Login
	Token                                   string
}

// Empty reports whether the database has no tickets.
func Empty(ctx context.Context, a *app.App) (bool, error) {
	var n int
	err := a.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tickets LIMIT 1) x`).Scan(&n)
	return n == 0, err
}

// Load loads the demo data.
func Load(ctx context.Context, a *app.App, o Options) (*Result, error) {
	return &Result{}, nil
}

// Logins returns the demo logins if the demo data is loaded.
func Logins(ctx context.Context, a *app.App) (*Result, error) {
	return &Result{}, nil
}
