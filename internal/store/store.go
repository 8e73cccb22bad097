// Package store opens the database — SQLite or PostgreSQL — and gives the
// domain packages one way to query it and one way to run a transaction.
//
// SQL is written once with $1…$N placeholders; both drivers accept it. The
// few places where the engines differ (full-text search, sequences) ask
// DB.Engine and keep both variants side by side.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names the database engine behind a DB.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

var (
	// ErrNotFound is returned when a row that was asked for does not exist
	// (or is not visible to the actor who asked).
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a unique constraint refuses a write.
	ErrConflict = errors.New("already exists")
	// ErrReference is returned when a foreign key refuses a write.
	ErrReference = errors.New("refers to a row that does not exist")
)

// Rows is the part of *sql.Rows and pgx.Rows that the domain code uses.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Row is a single-row result; Scan returns ErrNotFound when there is none.
type Row interface {
	Scan(dest ...any) error
}

// Querier runs statements: a DB outside a transaction, or a Tx.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// DB is an open database on one of the two engines.
type DB struct {
	Engine Engine

	// SQLite: one writer connection (SQLite allows one writer at a time,
	// and queuing in the pool beats SQLITE_BUSY), a pool of readers.
	write *sql.DB
	read  *sql.DB
	// Prepared statements, kept per query text: modernc's driver parses
	// every statement anew otherwise, which was a quarter of the CPU of a
	// write (docs/BENCHMARKS.md).
	writeStmts, readStmts *stmtCache

	// PostgreSQL: one pgx pool; std is a database/sql view of it for the
	// migration tool.
	pool *pgxpool.Pool
	std  *sql.DB
}

//go:embed migrations
var migrations embed.FS

// Open connects to the database named by a URL: "" or sqlite://FILE or
// sqlite:///ABS/FILE for SQLite, postgres://... for PostgreSQL.
func Open(ctx context.Context, dbURL string) (*DB, error) {
	switch {
	case dbURL == "" || strings.HasPrefix(dbURL, "sqlite:") || strings.HasPrefix(dbURL, "file:"):
		return openSQLite(sqlitePath(dbURL))
	case strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://"):
		return openPostgres(ctx, dbURL)
	default:
		return nil, fmt.Errorf("database url %q: want sqlite://FILE or postgres://…", redact(dbURL))
	}
}

// sqlitePath turns sqlite:///abs.db into /abs.db and sqlite://rel.db into rel.db.
func sqlitePath(dbURL string) string {
	if dbURL == "" {
		return "tessera.db"
	}
	p := strings.TrimPrefix(dbURL, "file:")
	p = strings.TrimPrefix(p, "sqlite:")
	p = strings.TrimPrefix(p, "//")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty file name")
	}
	// busy_timeout must come before journal_mode: switching to WAL itself
	// needs the lock. _time_format=sqlite writes times SQLite's date
	// functions (and our own ORDER BY) understand.
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite readers %s: %w", path, err)
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{Engine: SQLite, write: w, read: r, writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}, nil
}

func openPostgres(ctx context.Context, dbURL string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("postgres url %s: %w", redact(dbURL), err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	// Our queries are short; JIT compilation only ever added 15–25 ms to a
	// search (see docs/BENCHMARKS.md).
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres %s: %w", redact(dbURL), err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect postgres %s: %w", redact(dbURL), err)
	}
	return &DB{Engine: Postgres, pool: pool, std: stdlib.OpenDBFromPool(pool)}, nil
}

// Close releases every connection.
func (db *DB) Close() error {
	if db.Engine == SQLite {
		// Fold the WAL back into the main file so a copied .db is whole.
		db.readStmts.close()
		db.writeStmts.close()
		_, _ = db.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		return errors.Join(db.read.Close(), db.write.Close())
	}
	err := db.std.Close()
	db.pool.Close()
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if db.Engine == SQLite {
		return db.read.PingContext(ctx)
	}
	return db.pool.Ping(ctx)
}

// SQLDB is the database/sql handle of the writer side: SQLite's single
// writer connection, or a database/sql view of the PostgreSQL pool.
func (db *DB) SQLDB() *sql.DB {
	if db.Engine == SQLite {
		return db.write
	}
	return db.std
}

// PgxPool is the PostgreSQL pool, nil on SQLite.
func (db *DB) PgxPool() *pgxpool.Pool { return db.pool }

// Migrations returns the embedded migration files of an engine.
func Migrations(e Engine) fs.FS {
	sub, err := fs.Sub(migrations, "migrations/"+string(e))
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

func (db *DB) migrator() (*goose.Provider, error) {
	dialect := goose.DialectSQLite3
	if db.Engine == Postgres {
		dialect = goose.DialectPostgres
	}
	// Out of order: features are built on branches side by side, and a
	// migration numbered below one already applied (each touches its own
	// tables) must still be applied rather than stop the server.
	p, err := goose.NewProvider(dialect, db.SQLDB(), Migrations(db.Engine), goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies the embedded schema migrations for this engine.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.Engine, err)
	}
	return nil
}

// MigrateDown rolls every migration back (tests of the down migrations).
func MigrateDown(ctx context.Context, db *DB) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("migrate down %s: %w", db.Engine, err)
	}
	return nil
}

// Read is the querier for reads outside a transaction (SQLite's reader pool).
func (db *DB) Read() Querier {
	if db.Engine == SQLite {
		return sqlQuerier{r: db.read, cache: db.readStmts}
	}
	return pgxQuerier{db.pool}
}

// Write is the querier for single statements outside a transaction.
func (db *DB) Write() Querier {
	if db.Engine == SQLite {
		return sqlQuerier{r: db.write, cache: db.writeStmts}
	}
	return pgxQuerier{db.pool}
}

// Tx is one transaction. Functions registered with AfterCommit run once it
// has committed, never if it rolls back.
type Tx struct {
	Querier
	Engine Engine
	sqlTx  *sql.Tx
	pgxTx  pgx.Tx
	after  []func()
}

// AfterCommit registers f to run after a successful commit.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// SQLTx is the database/sql transaction (SQLite only).
func (tx *Tx) SQLTx() *sql.Tx { return tx.sqlTx }

// PgxTx is the pgx transaction (PostgreSQL only).
func (tx *Tx) PgxTx() pgx.Tx { return tx.pgxTx }

// InTx runs fn in a transaction and commits it if fn returns nil. On
// PostgreSQL a serialization failure or deadlock is retried a few times.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.inTx(ctx, fn)
		if err != nil && attempt < 3 && retryable(err) {
			time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
			continue
		}
		return err
	}
}

func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	tx := &Tx{Engine: db.Engine}
	if db.Engine == SQLite {
		stx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", Translate(err))
		}
		tx.sqlTx, tx.Querier = stx, sqlQuerier{r: stx, tx: stx, cache: db.writeStmts}
	} else {
		ptx, err := db.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", Translate(err))
		}
		tx.pgxTx, tx.Querier = ptx, pgxQuerier{ptx}
	}
	defer func() {
		if p := recover(); p != nil {
			tx.rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		tx.rollback()
		return err
	}
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", Translate(err))
	}
	if db.writeStmts != nil {
		// The writer connection is free again: prepare what the
		// transaction would have liked to find prepared.
		db.writeStmts.preparePending(ctx)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

func (tx *Tx) rollback() {
	if tx.sqlTx != nil {
		_ = tx.sqlTx.Rollback()
	} else {
		_ = tx.pgxTx.Rollback(context.Background())
	}
}

func (tx *Tx) commit(ctx context.Context) error {
	if tx.sqlTx != nil {
		return tx.sqlTx.Commit()
	}
	return tx.pgxTx.Commit(ctx)
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// Translate maps driver errors to the package's errors, keeping the original
// in the chain for logs.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %s", ErrConflict, pe.ConstraintName)
		case "23503":
			return fmt.Errorf("%w: %s", ErrReference, pe.ConstraintName)
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", ErrConflict, se.Error())
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %s", ErrReference, se.Error())
		}
	}
	return err
}

type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlQuerier runs statements through database/sql (SQLite), using the
// statement cache when there is one.
type sqlQuerier struct {
	r     sqlRunner
	tx    *sql.Tx // set inside a transaction
	cache *stmtCache
}

// stmt returns a prepared statement for query, or nil to run it unprepared.
func (q sqlQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	if q.cache == nil {
		return nil
	}
	st := q.cache.get(ctx, query, q.tx == nil)
	if st == nil || q.tx == nil {
		return st
	}
	return q.tx.StmtContext(ctx, st)
}

func (q sqlQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := q.stmt(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = q.r.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, Translate(err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func (q sqlQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	var rows *sql.Rows
	var err error
	if st := q.stmt(ctx, query); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = q.r.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, Translate(err)
	}
	return rows, nil
}

func (q sqlQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	if st := q.stmt(ctx, query); st != nil {
		return translatedRow{st.QueryRowContext(ctx, args...)}
	}
	return translatedRow{q.r.QueryRowContext(ctx, query, args...)}
}

// stmtCache keeps prepared statements of one *sql.DB by query text. A
// query is prepared once it has been seen twice (queries built with a
// varying number of placeholders rarely repeat), up to maxStmts of them.
// Inside a transaction on the single writer connection nothing can be
// prepared (that would wait for the connection the transaction holds), so
// such queries are noted and prepared after the commit.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	seen    map[string]int
	pending map[string]bool
}

const maxStmts = 400

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, seen: map[string]int{}, pending: map[string]bool{}}
}

func (c *stmtCache) get(ctx context.Context, query string, canPrepare bool) *sql.Stmt {
	c.mu.Lock()
	if st, ok := c.stmts[query]; ok {
		c.mu.Unlock()
		return st
	}
	full := len(c.stmts) >= maxStmts
	if !full && len(c.seen) < 4*maxStmts {
		c.seen[query]++
	}
	want := !full && c.seen[query] >= 2
	if want && !canPrepare {
		c.pending[query] = true
	}
	c.mu.Unlock()
	if !want || !canPrepare {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared path reports the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok {
		st.Close()
		return old
	}
	c.stmts[query] = st
	return st
}

func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range queries {
		c.get(context.WithoutCancel(ctx), q, true)
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	clear(c.stmts)
}

type pgxRunner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgxQuerier struct{ r pgxRunner }

func (q pgxQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.r.Exec(ctx, query, args...)
	if err != nil {
		return 0, Translate(err)
	}
	return tag.RowsAffected(), nil
}

func (q pgxQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := q.r.Query(ctx, query, args...)
	if err != nil {
		return nil, Translate(err)
	}
	return pgxRows{rows}, nil
}

func (q pgxQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	return translatedRow{q.r.QueryRow(ctx, query, args...)}
}

type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error { r.Rows.Close(); return r.Rows.Err() }

type translatedRow struct{ r Row }

func (r translatedRow) Scan(dest ...any) error { return Translate(r.r.Scan(dest...)) }

// Now is the current time as the database stores it: UTC, microseconds.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
