// Package storetest gives tests a fresh, migrated database on each engine:
// SQLite in a temporary file, PostgreSQL in a schema of its own (from
// TESSERA_TEST_POSTGRES_URL, by default the local server's test database).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"tessera/internal/store"
)

// DefaultPostgresURL is used when TESSERA_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Engines lists the engines every storage test runs on. Setting
// TESSERA_TEST_ENGINES=sqlite runs SQLite only (a quick local loop); CI
// runs both.
func Engines() []store.Engine {
	switch os.Getenv("TESSERA_TEST_ENGINES") {
	case "sqlite":
		return []store.Engine{store.SQLite}
	case "postgres":
		return []store.Engine{store.Postgres}
	}
	return []store.Engine{store.SQLite, store.Postgres}
}

// URL returns a database URL for a new, empty database on engine, and
// registers its removal with t.Cleanup.
func URL(t testing.TB, engine store.Engine) string {
	t.Helper()
	if engine == store.SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "tessera.db")
	}
	base := os.Getenv("TESSERA_TEST_POSTGRES_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("postgres for tests at %s: %v (set TESSERA_TEST_POSTGRES_URL, or TESSERA_TEST_ENGINES=sqlite)", base, err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		t.Fatalf("create schema: %v", err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns an open, migrated database on engine, closed at cleanup.
func Open(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), URL(t, engine))
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}

// Each runs f once per engine as a subtest.
func Each(t *testing.T, f func(t *testing.T, engine store.Engine)) {
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) { f(t, e) })
	}
}
