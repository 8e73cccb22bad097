package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"tessera/internal/store"
)

// writer is an engine's bulk-loading side.
type writer interface {
	begin(ctx context.Context) (batchTx, error)
	// writers is how many batches may be written at once.
	writers() int
	// indexes lists the secondary indexes of tables (not those behind a
	// primary key or constraint).
	indexes(ctx context.Context, tables []string) ([]indexDef, error)
	// build creates indexes from their definitions.
	build(ctx context.Context, defs []indexDef, log func(string, ...any)) error
	exec(ctx context.Context, sql string) error
	// finish sets sequences and gathers statistics.
	finish(ctx context.Context, s *seeder) error
	close(ctx context.Context)
}

// batchTx is one bulk transaction.
type batchTx interface {
	insert(ctx context.Context, table string, cols []string, rows [][]any) error
	// index writes the search documents of tickets (already folded by
	// search.Document).
	index(ctx context.Context, ids []int64, subjects, bodies []string) error
	commit(ctx context.Context) error
	rollback(ctx context.Context)
}

type indexDef struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

// The tables that grow with tickets; their secondary indexes are dropped
// during a big load and built again after it.
var bulkTables = []string{"tickets", "messages", "ticket_events", "ticket_tags", "ticket_search"}

const droppedKey = "bench.dropped_indexes"

// dropIndexes drops the secondary indexes of the bulk tables, noting their
// definitions in settings first so that an interrupted seed can be
// repaired by the next one.
func (s *seeder) dropIndexes(ctx context.Context) error {
	defs, err := s.w.indexes(ctx, bulkTables)
	if err != nil {
		return fmt.Errorf("seed: list indexes: %w", err)
	}
	if len(defs) == 0 {
		return nil
	}
	b, _ := json.Marshal(defs)
	if _, err := s.db.Write().Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, droppedKey, string(b)); err != nil {
		return fmt.Errorf("seed: note indexes: %w", err)
	}
	for _, d := range defs {
		if err := s.w.exec(ctx, `DROP INDEX `+d.Name); err != nil {
			return fmt.Errorf("seed: drop index %s: %w", d.Name, err)
		}
	}
	fmt.Fprintf(s.o.Log, "dropped %d secondary indexes for the load; they are rebuilt after it\n", len(defs))
	return nil
}

// restoreIndexes builds the indexes a seed dropped, if any are noted.
func (s *seeder) restoreIndexes(ctx context.Context) error {
	var v string
	err := s.db.Write().QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, droppedKey).Scan(&v)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	var defs []indexDef
	if err := json.Unmarshal([]byte(v), &defs); err != nil {
		return fmt.Errorf("seed: noted indexes: %w", err)
	}
	have, err := s.w.indexes(ctx, bulkTables)
	if err != nil {
		return err
	}
	var todo []indexDef
	for _, d := range defs {
		exists := false
		for _, h := range have {
			exists = exists || h.Name == d.Name
		}
		if !exists {
			todo = append(todo, d)
		}
	}
	start := time.Now()
	if err := s.w.build(ctx, todo, func(f string, a ...any) { fmt.Fprintf(s.o.Log, f, a...) }); err != nil {
		return err
	}
	if _, err := s.db.Write().Exec(ctx, `DELETE FROM settings WHERE key = $1`, droppedKey); err != nil {
		return err
	}
	if len(todo) > 0 {
		fmt.Fprintf(s.o.Log, "built %d indexes in %s\n", len(todo), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// ---- SQLite ----

type liteWriter struct {
	db *sql.DB
}

// newLiteWriter prepares SQLite's single writer connection for a bulk
// load: no foreign-key checks (the generator keeps references whole), a
// large page cache, temporary sorts in memory. close undoes it.
func newLiteWriter(ctx context.Context, db *store.DB) (*liteWriter, error) {
	w := &liteWriter{db: db.SQLDB()}
	for _, p := range []string{"PRAGMA foreign_keys = OFF", "PRAGMA cache_size = -262144", "PRAGMA temp_store = MEMORY"} {
		if _, err := w.db.ExecContext(ctx, p); err != nil {
			return nil, fmt.Errorf("seed: %s: %w", p, err)
		}
	}
	return w, nil
}

func (w *liteWriter) writers() int { return 1 }

func (w *liteWriter) close(ctx context.Context) {
	for _, p := range []string{"PRAGMA foreign_keys = ON", "PRAGMA cache_size = -2000", "PRAGMA temp_store = DEFAULT"} {
		_, _ = w.db.ExecContext(context.WithoutCancel(ctx), p)
	}
}

func (w *liteWriter) exec(ctx context.Context, q string) error {
	_, err := w.db.ExecContext(ctx, q)
	return err
}

func (w *liteWriter) indexes(ctx context.Context, tables []string) ([]indexDef, error) {
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(tables)), ", ")
	args := make([]any, len(tables))
	for i, t := range tables {
		args[i] = t
	}
	rows, err := w.db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (`+ph+`) ORDER BY name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indexDef
	for rows.Next() {
		var d indexDef
		if err := rows.Scan(&d.Name, &d.SQL); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (w *liteWriter) build(ctx context.Context, defs []indexDef, log func(string, ...any)) error {
	for _, d := range defs {
		start := time.Now()
		if _, err := w.db.ExecContext(ctx, d.SQL); err != nil {
			return fmt.Errorf("seed: build index %s: %w", d.Name, err)
		}
		log("  index %s: %s\n", d.Name, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func (w *liteWriter) finish(ctx context.Context, s *seeder) error {
	if s.res.Tickets >= 10000 {
		// One b-tree instead of hundreds of segments: faster searches.
		start := time.Now()
		if _, err := w.db.ExecContext(ctx, `INSERT INTO ticket_fts (ticket_fts) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("seed: optimize search index: %w", err)
		}
		fmt.Fprintf(s.o.Log, "optimized the search index in %s\n", time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	if _, err := w.db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("seed: analyze: %w", err)
	}
	fmt.Fprintf(s.o.Log, "analyzed in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func (w *liteWriter) begin(ctx context.Context) (batchTx, error) {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("seed: begin: %w", err)
	}
	return &liteTx{tx: tx, stmts: map[string]*sql.Stmt{}}, nil
}

type liteTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	args  []any
}

func (t *liteTx) stmt(ctx context.Context, table string, cols []string, n int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%d/%d", table, len(cols), n)
	if st, ok := t.stmts[key]; ok {
		return st, nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	t.stmts[key] = st
	return st, nil
}

func (t *liteTx) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	per := max(1, min(256, 30000/len(cols)))
	for len(rows) > 0 {
		n := min(per, len(rows))
		st, err := t.stmt(ctx, table, cols, n)
		if err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		t.args = t.args[:0]
		for _, r := range rows[:n] {
			t.args = append(t.args, r...)
		}
		if _, err := st.ExecContext(ctx, t.args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

func (t *liteTx) index(ctx context.Context, ids []int64, subjects, bodies []string) error {
	rows := make([][]any, len(ids))
	for i := range ids {
		rows[i] = []any{ids[i], subjects[i], bodies[i]}
	}
	return t.insert(ctx, "ticket_fts", []string{"rowid", "subject", "body"}, rows)
}

func (t *liteTx) commit(ctx context.Context) error {
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	return nil
}

func (t *liteTx) rollback(ctx context.Context) { _ = t.tx.Rollback() }

// ---- PostgreSQL ----

type pgWriter struct {
	pool *pgxpool.Pool
	// replica: the role may skip foreign-key triggers during the load
	// (session_replication_role needs a superuser).
	replica bool
}

func newPgWriter(ctx context.Context, db *store.DB) (*pgWriter, error) {
	w := &pgWriter{pool: db.PgxPool()}
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	_, err = tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
	w.replica = err == nil
	_ = tx.Rollback(ctx)
	return w, nil
}

func (w *pgWriter) writers() int { return 2 }

func (w *pgWriter) close(ctx context.Context) {}

func (w *pgWriter) exec(ctx context.Context, q string) error {
	_, err := w.pool.Exec(ctx, q)
	return err
}

func (w *pgWriter) indexes(ctx context.Context, tables []string) ([]indexDef, error) {
	rows, err := w.pool.Query(ctx, `SELECT ci.relname, pg_get_indexdef(ci.oid)
		FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid JOIN pg_class ct ON ct.oid = x.indrelid
		WHERE ct.relname = ANY($1) AND ct.relnamespace = current_schema()::regnamespace
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
		ORDER BY 1`, tables)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indexDef
	for rows.Next() {
		var d indexDef
		if err := rows.Scan(&d.Name, &d.SQL); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// build creates the indexes on two connections at once, the slow GIN
// index first, with a generous maintenance_work_mem.
func (w *pgWriter) build(ctx context.Context, defs []indexDef, log func(string, ...any)) error {
	if len(defs) == 0 {
		return nil
	}
	todo := make(chan indexDef, len(defs))
	for _, d := range defs {
		if strings.Contains(d.SQL, "USING gin") {
			todo <- d
		}
	}
	for _, d := range defs {
		if !strings.Contains(d.SQL, "USING gin") {
			todo <- d
		}
	}
	close(todo)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 2 {
		wg.Go(func() {
			conn, err := w.pool.Acquire(ctx)
			if err != nil {
				mu.Lock()
				firstErr = errors.Join(firstErr, err)
				mu.Unlock()
				return
			}
			defer conn.Release()
			_, _ = conn.Exec(ctx, `SET maintenance_work_mem = '512MB'`)
			defer conn.Exec(context.WithoutCancel(ctx), `RESET maintenance_work_mem`)
			for d := range todo {
				start := time.Now()
				if _, err := conn.Exec(ctx, d.SQL); err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, fmt.Errorf("seed: build index %s: %w", d.Name, err))
					mu.Unlock()
					return
				}
				mu.Lock()
				log("  index %s: %s\n", d.Name, time.Since(start).Round(time.Millisecond))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return firstErr
}

func (w *pgWriter) finish(ctx context.Context, s *seeder) error {
	for _, t := range []string{"organizations", "contacts", "contact_identities", "teams", "agents", "tickets", "messages", "ticket_events"} {
		if _, err := w.pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), GREATEST((SELECT MAX(id) FROM `+t+`), 1))`); err != nil {
			return fmt.Errorf("seed: sequence of %s: %w", t, err)
		}
	}
	if _, err := w.pool.Exec(ctx, `SELECT setval('ticket_number_seq', GREATEST((SELECT MAX(number) FROM tickets), 1000))`); err != nil {
		return fmt.Errorf("seed: ticket_number_seq: %w", err)
	}
	start := time.Now()
	// VACUUM too: a bulk load leaves no visibility map, so index-only scans
	// and the first reads would otherwise pay for it.
	for _, t := range []string{"organizations", "contacts", "contact_identities", "tickets", "messages", "ticket_events", "ticket_tags", "ticket_search"} {
		if _, err := w.pool.Exec(ctx, `VACUUM (ANALYZE) `+t); err != nil {
			return fmt.Errorf("seed: vacuum %s: %w", t, err)
		}
	}
	fmt.Fprintf(s.o.Log, "vacuumed and analyzed in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func (w *pgWriter) begin(ctx context.Context) (batchTx, error) {
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: begin: %w", err)
	}
	settings := []string{`SET LOCAL synchronous_commit = off`}
	if w.replica {
		settings = append(settings, `SET LOCAL session_replication_role = replica`)
	}
	for _, q := range settings {
		if _, err := tx.Exec(ctx, q); err != nil {
			_ = tx.Rollback(ctx)
			return nil, fmt.Errorf("seed: %s: %w", q, err)
		}
	}
	return &pgTx{tx: tx}, nil
}

type pgTx struct {
	tx pgx.Tx
}

func (t *pgTx) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}

// index computes the documents in the server, with the very expression
// search.IndexTicket uses.
func (t *pgTx) index(ctx context.Context, ids []int64, subjects, bodies []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO ticket_search (ticket_id, document)
		SELECT id, setweight(to_tsvector('simple', s), 'A') || setweight(to_tsvector('simple', b), 'B')
		FROM unnest($1::bigint[], $2::text[], $3::text[]) AS x(id, s, b)`, ids, subjects, bodies)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

func (t *pgTx) commit(ctx context.Context) error {
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	return nil
}

func (t *pgTx) rollback(ctx context.Context) { _ = t.tx.Rollback(context.WithoutCancel(ctx)) }
