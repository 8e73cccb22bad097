package store_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

func TestOpenURLs(t *testing.T) {
	if _, err := store.Open(context.Background(), "mysql://x"); err == nil {
		t.Error("mysql url accepted")
	}
	dir := t.TempDir()
	for _, u := range []string{"sqlite://" + dir + "/a.db", "sqlite://" + dir + "/b.db?x=1", "file:" + dir + "/c.db"} {
		db, err := store.Open(context.Background(), u)
		if err != nil {
			t.Errorf("open %s: %v", u, err)
			continue
		}
		if db.Engine != store.SQLite {
			t.Errorf("%s: engine %s", u, db.Engine)
		}
		db.Close()
	}
}

func TestPragmasAndErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		if e == store.SQLite {
			var mode string
			var fk int
			if err := db.Read().QueryRow(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("journal_mode = %q, %v", mode, err)
			}
			if err := db.Read().QueryRow(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
				t.Errorf("foreign_keys = %d, %v", fk, err)
			}
		}
		var x int
		if err := db.Read().QueryRow(ctx, "SELECT 1 FROM teams WHERE id = $1", 42).Scan(&x); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing row: %v", err)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO tags (name) VALUES ($1), ($1)", "dup")
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate: %v", err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO team_members (team_id, agent_id) VALUES (999, 999)")
			return err
		})
		if !errors.Is(err, store.ErrReference) {
			t.Errorf("foreign key: %v", err)
		}
		// A failed transaction leaves nothing behind; after-commit hooks run
		// only after a commit.
		ran := false
		sentinel := errors.New("stop")
		err = db.InTx(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() { ran = true })
			if _, err := tx.Exec(ctx, "INSERT INTO tags (name) VALUES ('rolled_back')"); err != nil {
				return err
			}
			return sentinel
		})
		if !errors.Is(err, sentinel) || ran {
			t.Errorf("rollback: %v, hook ran %v", err, ran)
		}
		if err := db.Read().QueryRow(ctx, "SELECT 1 FROM tags WHERE name = 'rolled_back'").Scan(&x); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rolled back row is there: %v", err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { tx.AfterCommit(func() { ran = true }); return nil }); err != nil || !ran {
			t.Errorf("commit hook: %v %v", err, ran)
		}
	})
}

// TestMigrationsUpDownUp applies every migration, rolls all back, and
// applies them again, on both engines.
func TestMigrationsUpDownUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		if err := store.MigrateDown(ctx, db); err != nil {
			t.Fatalf("down: %v", err)
		}
		var x int
		if err := db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM tickets").Scan(&x); err == nil {
			t.Error("tickets table survived the down migration")
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		if err := db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM statuses").Scan(&x); err != nil || x != 6 {
			t.Errorf("statuses after re-migration: %d, %v", x, err)
		}
		n, err := fs.Glob(store.Migrations(e), "*.sql")
		if err != nil || len(n) == 0 {
			t.Errorf("no migrations embedded for %s", e)
		}
	})
}
