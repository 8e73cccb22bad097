// Package search keeps the full-text index of tickets and answers queries
// on both engines: FTS5 on SQLite, tsvector and GIN on PostgreSQL.
//
// Text is folded (lower case, accents and Hebrew points removed) by Fold
// before it is indexed and before it is searched, so "Não" finds "nao" and
// "cafe" finds "Café" on both engines. Highlights are computed here from
// the original text, not by the engine, so they look the same on both.
package search

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"tessera/internal/store"
)

var folders = sync.Pool{New: func() any {
	// NFKD also unfolds compatibility forms: "ﬁ" is "fi", "Ｆ" is "F".
	return transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Fold lower-cases s and removes diacritics (combining marks).
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s) // no marks to remove, and no allocation when already lower case
	}
	t := folders.Get().(transform.Transformer)
	t.Reset()
	out, _, err := transform.String(t, s)
	folders.Put(t)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// Tokens splits folded text into words of letters and digits.
func Tokens(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Document is the text the index holds for a piece of text: its folded
// words separated by spaces (see indexText). Bulk loaders use it to write
// index rows that match what IndexTicket writes.
func Document(text string) string { return indexText(text) }

// indexText is what the engine indexes for a piece of text. Hebrew glues
// one-letter prefixes to words (ב "in", ה "the", ו "and", ל "to", מ "from",
// ש "that", כ "as"): בחשבונית is "in the invoice". Such a word is also
// indexed without its prefix, so a search for חשבונית finds it.
func indexText(s string) string {
	toks := Tokens(s)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, t)
		if stem, ok := hebrewStem(t); ok {
			out = append(out, stem)
		}
	}
	return strings.Join(out, " ")
}

func hebrewStem(w string) (string, bool) {
	r := []rune(w)
	if len(r) < 4 || !unicode.Is(unicode.Hebrew, r[0]) || !strings.ContainsRune("בהולמשכ", r[0]) {
		return "", false
	}
	return string(r[1:]), true
}

// IndexTicket writes the document of a new ticket.
func IndexTicket(ctx context.Context, tx *store.Tx, ticketID int64, subject, body string) error {
	var err error
	if tx.Engine == store.SQLite {
		_, err = tx.Exec(ctx, `INSERT INTO ticket_fts (rowid, subject, body) VALUES ($1, $2, $3)`, ticketID, indexText(subject), indexText(body))
	} else {
		_, err = tx.Exec(ctx, `INSERT INTO ticket_search (ticket_id, document) VALUES ($1,
			setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'))`, ticketID, indexText(subject), indexText(body))
	}
	if err != nil {
		return fmt.Errorf("index ticket %d: %w", ticketID, err)
	}
	return nil
}

// AppendBody adds a new message's text to a ticket's document.
func AppendBody(ctx context.Context, tx *store.Tx, ticketID int64, body string) error {
	var err error
	if tx.Engine == store.SQLite {
		_, err = tx.Exec(ctx, `UPDATE ticket_fts SET body = body || ' ' || $2 WHERE rowid = $1`, ticketID, indexText(body))
	} else {
		_, err = tx.Exec(ctx, `UPDATE ticket_search SET document = document || setweight(to_tsvector('simple', $2), 'B') WHERE ticket_id = $1`, ticketID, indexText(body))
	}
	if err != nil {
		return fmt.Errorf("index message of ticket %d: %w", ticketID, err)
	}
	return nil
}

// Reindex rebuilds a ticket's document from its subject and messages (after
// the subject changed).
func Reindex(ctx context.Context, tx *store.Tx, ticketID int64) error {
	var subject string
	if err := tx.QueryRow(ctx, `SELECT subject FROM tickets WHERE id = $1`, ticketID).Scan(&subject); err != nil {
		return fmt.Errorf("reindex ticket %d: %w", ticketID, err)
	}
	rows, err := tx.Query(ctx, `SELECT body_text FROM messages WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return fmt.Errorf("reindex ticket %d: %w", ticketID, err)
	}
	var parts []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return fmt.Errorf("reindex ticket %d: %w", ticketID, err)
		}
		parts = append(parts, b)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("reindex ticket %d: %w", ticketID, err)
	}
	table, key := "ticket_fts", "rowid"
	if tx.Engine == store.Postgres {
		table, key = "ticket_search", "ticket_id"
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE `+key+` = $1`, ticketID); err != nil {
		return fmt.Errorf("reindex ticket %d: %w", ticketID, err)
	}
	return IndexTicket(ctx, tx, ticketID, subject, strings.Join(parts, "\n"))
}

// Query is a parsed search: folded words, the last one matched as a prefix
// (people search as they type).
type Query struct {
	Words []string
	// typed holds every word as typed (stop words too), for highlighting.
	typed []string
}

// Parse reads a user's query. Stop words are dropped when other words
// remain (the last word stays: it may be the start of a longer one being
// typed), and at most 12 words are kept.
func Parse(q string) Query {
	all := Tokens(q)
	var w []string
	for i, t := range all {
		if !stopWords[t] || i == len(all)-1 {
			w = append(w, t)
		}
	}
	if len(w) == 0 || (len(w) == 1 && stopWords[w[0]] && len(all) > 1) {
		w = all
	}
	if len(w) > 12 {
		w = w[:12]
	}
	// Highlight what was searched for and the longer stop words typed
	// ("não" in "não consigo"), but not every "a" and "de" of the text.
	var typed []string
	for _, t := range all {
		if !stopWords[t] || len([]rune(t)) >= 3 || slices.Contains(w, t) {
			typed = append(typed, t)
		}
	}
	if len(typed) > 12 {
		typed = typed[:12]
	}
	return Query{Words: w, typed: typed}
}

// Empty reports whether there is nothing to search for.
func (q Query) Empty() bool { return len(q.Words) == 0 }

// fts5 renders the query for FTS5 MATCH: every word required, the last one
// as a prefix. Words hold only letters and digits, so quoting is safe.
func (q Query) fts5(prefix bool) string {
	parts := make([]string, len(q.Words))
	for i, w := range q.Words {
		parts[i] = `"` + w + `"`
		if prefix && i == len(q.Words)-1 {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " ")
}

// tsquery renders the query for PostgreSQL's to_tsquery.
func (q Query) tsquery(prefix bool) string {
	parts := make([]string, len(q.Words))
	for i, w := range q.Words {
		parts[i] = w
		if prefix && i == len(q.Words)-1 {
			parts[i] += ":*"
		}
	}
	return strings.Join(parts, " & ")
}

// RankWindow is how many of the newest matching tickets a search ranks.
const RankWindow = 2000

// Scope limits the tickets a search may return (an agent who sees only
// their teams' tickets). A zero Scope sees every ticket.
type Scope struct {
	Restricted bool
	AgentID    int64
	TeamIDs    []int64
	// Where, if set, adds conditions on the tickets (alias t), binding its
	// values with arg: a saved view searches only the tickets of its filter.
	Where func(arg func(any) string) (string, error)
}

// conds renders the scope as SQL conditions appended to args.
func (scope Scope) conds(args *[]any) (string, error) {
	arg := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	where := ""
	if scope.Restricted {
		cond := "t.assignee_id = " + arg(scope.AgentID)
		for _, id := range scope.TeamIDs {
			cond += " OR t.team_id = " + arg(id)
		}
		where = " AND (" + cond + ")"
	}
	if scope.Where != nil {
		c, err := scope.Where(arg)
		if err != nil {
			return "", err
		}
		if c != "" {
			where += " AND " + c
		}
	}
	return where, nil
}

// Tickets returns the ids of the tickets matching q, best first, skipping
// offset results.
func Tickets(ctx context.Context, db *store.DB, q Query, scope Scope, offset, limit int) ([]int64, error) {
	if q.Empty() {
		return nil, nil
	}
	// Cheap first: the exact words among the newest tickets, then among
	// all, then the last word as a prefix (people search as they type).
	// A common word is answered by the first stage from a bounded slice of
	// its posting list; a rare one costs little in any stage.
	var ids []int64
	for _, st := range []struct{ prefix, recent bool }{{false, true}, {false, false}, {true, true}, {true, false}} {
		found, err := tickets(ctx, db, q, scope, st.prefix, st.recent, offset, limit)
		if err != nil {
			return nil, err
		}
		ids = found
		if len(ids) >= limit {
			break
		}
	}
	return ids, nil
}

// RecentWindow is how many of the newest ticket ids the first stages of a
// search look at.
const RecentWindow = 100_000

func tickets(ctx context.Context, db *store.DB, q Query, scope Scope, prefix, recent bool, offset, limit int) ([]int64, error) {
	args := []any{"", limit, offset}
	where, err := scope.conds(&args)
	if err != nil {
		return nil, err
	}
	// Only the newest RankWindow matches are ranked: a common word matches
	// tens of thousands of tickets in a large help desk, ranking all of them
	// costs seconds, and the ticket someone looks for is rarely years old.
	// The inner query walks the index in id order and stops.
	var query string
	if db.Engine == store.SQLite {
		args[0] = q.fts5(prefix)
		window := ""
		if recent {
			window = fmt.Sprintf(" AND rowid > (SELECT COALESCE(MAX(id), 0) FROM tickets) - %d", RecentWindow)
		}
		query = `SELECT t.id FROM (SELECT rowid AS id, bm25(ticket_fts, 4.0, 1.0) AS score FROM ticket_fts
				WHERE ticket_fts MATCH $1` + window + ` ORDER BY rowid DESC LIMIT ` + fmt.Sprint(RankWindow) + `) m
			JOIN tickets t ON t.id = m.id
			WHERE 1 = 1` + where + `
			ORDER BY m.score, t.id DESC LIMIT $2 OFFSET $3`
	} else {
		args[0] = q.tsquery(prefix)
		window := ""
		if recent {
			window = fmt.Sprintf(" AND ticket_id > (SELECT COALESCE(MAX(id), 0) FROM tickets) - %d", RecentWindow)
		}
		query = `WITH m AS (SELECT ticket_id FROM ticket_search WHERE document @@ to_tsquery('simple', $1)` + window + `
				ORDER BY ticket_id DESC LIMIT ` + fmt.Sprint(RankWindow) + `)
			SELECT t.id FROM m JOIN ticket_search s ON s.ticket_id = m.ticket_id JOIN tickets t ON t.id = m.ticket_id
			WHERE 1 = 1` + where + `
			ORDER BY ts_rank(s.document, to_tsquery('simple', $1)) DESC, t.id DESC LIMIT $2 OFFSET $3`
	}
	rows, err := db.Read().Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Count counts the tickets a search can show, up to max: the matches of
// the exact words among the newest RankWindow that match (the window every
// search ranks in), or, when none match, of the last word as a prefix. No
// ranking is needed to count, so it costs a walk of at most RankWindow
// index entries per stage.
func Count(ctx context.Context, db *store.DB, q Query, scope Scope, max int) (int, error) {
	if q.Empty() {
		return 0, nil
	}
	for _, prefix := range []bool{false, true} {
		args := []any{""}
		where, err := scope.conds(&args)
		if err != nil {
			return 0, err
		}
		var query string
		if db.Engine == store.SQLite {
			args[0] = q.fts5(prefix)
			query = `SELECT COUNT(*) FROM (SELECT t.id FROM (SELECT rowid AS id FROM ticket_fts WHERE ticket_fts MATCH $1
				ORDER BY rowid DESC LIMIT ` + fmt.Sprint(RankWindow) + `) m JOIN tickets t ON t.id = m.id WHERE 1 = 1` + where
		} else {
			args[0] = q.tsquery(prefix)
			query = `SELECT COUNT(*) FROM (SELECT t.id FROM (SELECT ticket_id FROM ticket_search WHERE document @@ to_tsquery('simple', $1)
				ORDER BY ticket_id DESC LIMIT ` + fmt.Sprint(RankWindow) + `) m JOIN tickets t ON t.id = m.ticket_id WHERE 1 = 1` + where
		}
		args = append(args, max)
		query += fmt.Sprintf(" LIMIT $%d) c", len(args))
		var n int
		if err := db.Read().QueryRow(ctx, query, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("search count: %w", err)
		}
		if n > 0 || prefix {
			return n, nil
		}
	}
	return 0, nil
}

// Highlight escapes text for HTML and wraps the words that match q in
// <mark>. When window > 0 it returns only about window words around the
// first match (an excerpt), with ellipses where text was cut.
func Highlight(text string, q Query, window int) (string, bool) {
	words := splitKeep(text)
	first := -1
	marked := make([]bool, len(words))
	for i, w := range words {
		if !w.word {
			continue
		}
		f := Fold(w.s)
		words := q.typed
		if len(words) == 0 {
			words = q.Words
		}
		for j, qw := range words {
			if f == qw || (j == len(words)-1 && strings.HasPrefix(f, qw)) {
				marked[i] = true
				if first < 0 {
					first = i
				}
				break
			}
		}
	}
	lo, hi := 0, len(words)
	if window > 0 {
		center := max(first, 0)
		lo = max(0, center-window) // words and separators alternate: window pieces ≈ window/2 words each side
		hi = min(len(words), center+window)
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString("…")
	}
	for i := lo; i < hi; i++ {
		s := html.EscapeString(words[i].s)
		if marked[i] {
			b.WriteString("<mark>" + s + "</mark>")
		} else {
			b.WriteString(s)
		}
	}
	if hi < len(words) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String()), first >= 0
}

type piece struct {
	s    string
	word bool
}

func splitKeep(text string) []piece {
	var out []piece
	start, inWord := 0, false
	for i, r := range text {
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if i == 0 {
			inWord = w
			continue
		}
		if w != inWord {
			out = append(out, piece{text[start:i], inWord})
			start, inWord = i, w
		}
	}
	if start < len(text) {
		out = append(out, piece{text[start:], inWord})
	}
	return out
}

// HebrewStem returns a folded Hebrew word without its one-letter prefix
// (see indexText), and whether it had one.
func HebrewStem(w string) (string, bool) { return hebrewStem(w) }
