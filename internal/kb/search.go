package kb

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/store"
)

// A search that forgives: text is folded (case and accents) as the ticket
// search does, every word is indexed with its light stem (plural endings
// of the article's language stripped, Hebrew one-letter prefixes removed),
// and a query word that no published article uses is corrected to the
// nearest word of the language's vocabulary (kb_terms) by edit distance
// with transpositions, so "pagamneto" finds "pagamento". All words are
// required first; when that finds too little, any word will do, ranked by
// the engine (title ten times the body).

// Stem strips the common plural endings of a folded word in a language:
// enough to make "pagamentos" find "pagamento" and "errores" "error",
// without a stemmer's surprises.
func Stem(w, locale string) string {
	if utf8.RuneCountInString(w) < 4 {
		return w
	}
	cut := func(suffix, with string) (string, bool) {
		if strings.HasSuffix(w, suffix) {
			return strings.TrimSuffix(w, suffix) + with, true
		}
		return w, false
	}
	switch locale {
	case "pt-BR", "pt":
		for _, r := range [][2]string{{"oes", "ao"}, {"aes", "ao"}, {"ais", "al"}, {"eis", "el"}, {"ois", "ol"}, {"ns", "m"}, {"res", "r"}, {"zes", "z"}} {
			if s, ok := cut(r[0], r[1]); ok {
				return s
			}
		}
	case "es":
		for _, r := range [][2]string{{"ces", "z"}, {"iones", "ion"}, {"res", "r"}, {"les", "l"}, {"nes", "n"}, {"des", "d"}} {
			if s, ok := cut(r[0], r[1]); ok {
				return s
			}
		}
	case "en":
		for _, r := range [][2]string{{"ies", "y"}, {"sses", "ss"}, {"xes", "x"}, {"ches", "ch"}, {"shes", "sh"}} {
			if s, ok := cut(r[0], r[1]); ok {
				return s
			}
		}
	default:
		return w
	}
	if strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") {
		return w[:len(w)-1]
	}
	return w
}

// words is the indexed form of text in a language: every folded word, and
// besides it its stem and its Hebrew form without prefix when they differ.
func words(text, locale string) []string {
	var out []string
	for _, t := range search.Tokens(text) {
		out = append(out, t)
		if s := Stem(t, locale); s != t {
			out = append(out, s)
		}
		if s, ok := search.HebrewStem(t); ok {
			out = append(out, s)
		}
	}
	return out
}

func terms(a Article) map[string]bool {
	set := map[string]bool{}
	for _, w := range words(a.Title+" "+a.BodyText+" "+strings.Join(a.Tags, " "), a.Locale) {
		if !search.IsStopWord(w) && utf8.RuneCountInString(w) >= 3 {
			set[w] = true
		}
	}
	return set
}

// index rewrites an article's document and, when its published state or
// words changed, the vocabulary of its language.
func (s *Service) index(ctx context.Context, tx *store.Tx, id int64, a Article, old *Article) error {
	title := strings.Join(words(a.Title+" "+strings.Join(a.Tags, " "), a.Locale), " ")
	body := strings.Join(words(a.BodyText, a.Locale), " ")
	var err error
	if tx.Engine == store.SQLite {
		if old != nil {
			if _, err = tx.Exec(ctx, `DELETE FROM kb_fts WHERE rowid = $1`, id); err != nil {
				return fmt.Errorf("index kb article %d: %w", id, err)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO kb_fts (rowid, title, body) VALUES ($1, $2, $3)`, id, title, body)
	} else {
		_, err = tx.Exec(ctx, `INSERT INTO kb_search (article_id, document) VALUES ($1,
			setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'))
			ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document`, id, title, body)
	}
	if err != nil {
		return fmt.Errorf("index kb article %d: %w", id, err)
	}
	if old != nil && old.Status == Published {
		if err := s.countTerms(ctx, tx, old.Locale, terms(*old), -1); err != nil {
			return err
		}
	}
	if a.Status == Published {
		if err := s.countTerms(ctx, tx, a.Locale, terms(a), 1); err != nil {
			return err
		}
	}
	if (old != nil && old.Status == Published) || a.Status == Published {
		locales := []string{a.Locale}
		if old != nil {
			locales = append(locales, old.Locale)
		}
		tx.AfterCommit(func() { s.dropVocab(locales...) })
	}
	return nil
}

// countTerms adds delta to the article counts of words, in batches.
func (s *Service) countTerms(ctx context.Context, tx *store.Tx, locale string, set map[string]bool, delta int) error {
	list := make([]string, 0, len(set))
	for w := range set {
		list = append(list, w)
	}
	sort.Strings(list)
	for len(list) > 0 {
		n := min(len(list), 200)
		batch := list[:n]
		list = list[n:]
		args := []any{locale, delta}
		vals := make([]string, len(batch))
		for i, w := range batch {
			args = append(args, w)
			vals[i] = fmt.Sprintf("($1, $%d, $2)", len(args))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_terms (locale, term, docs) VALUES `+strings.Join(vals, ", ")+`
			ON CONFLICT (locale, term) DO UPDATE SET docs = kb_terms.docs + EXCLUDED.docs`, args...); err != nil {
			return fmt.Errorf("kb terms: %w", err)
		}
	}
	if delta < 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM kb_terms WHERE locale = $1 AND docs <= 0`, locale); err != nil {
			return fmt.Errorf("kb terms: %w", err)
		}
	}
	return nil
}

// vocabulary is a language's kb_terms in memory.
type vocabulary struct {
	docs   map[string]int
	byLen  map[int][]string
	loaded time.Time
}

// vocabTTL bounds how stale another server's view of the vocabulary is.
const vocabTTL = time.Minute

func (s *Service) dropVocab(locales ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range locales {
		delete(s.vocab, l)
	}
	delete(s.vocab, "")
}

func (s *Service) vocabulary(ctx context.Context, locale string) (*vocabulary, error) {
	s.mu.Lock()
	v := s.vocab[locale]
	s.mu.Unlock()
	if v != nil && time.Since(v.loaded) < vocabTTL {
		return v, nil
	}
	q, args := `SELECT term, SUM(docs) FROM kb_terms GROUP BY term`, []any{}
	if locale != "" {
		q, args = `SELECT term, docs FROM kb_terms WHERE locale = $1`, []any{locale}
	}
	rows, err := s.DB.Read().Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("kb vocabulary: %w", err)
	}
	defer rows.Close()
	v = &vocabulary{docs: map[string]int{}, byLen: map[int][]string{}, loaded: time.Now()}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, fmt.Errorf("kb vocabulary: %w", err)
		}
		v.docs[t] = n
		l := utf8.RuneCountInString(t)
		v.byLen[l] = append(v.byLen[l], t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kb vocabulary: %w", err)
	}
	s.mu.Lock()
	if s.vocab == nil {
		s.vocab = map[string]*vocabulary{}
	}
	s.vocab[locale] = v
	s.mu.Unlock()
	return v, nil
}

// hasPrefix reports whether some term starts with p (a word being typed).
func (v *vocabulary) hasPrefix(p string) bool {
	n := utf8.RuneCountInString(p)
	for l, list := range v.byLen {
		if l <= n {
			continue
		}
		for _, t := range list {
			if strings.HasPrefix(t, p) {
				return true
			}
		}
	}
	return false
}

// correct returns the term nearest to w: at most one edit away for words
// of up to five letters, two for longer ones; ties go to the term more
// articles use.
func (v *vocabulary) correct(w string) (string, bool) {
	r := []rune(w)
	if len(r) < 4 {
		return "", false
	}
	maxd := 1
	if len(r) > 5 {
		maxd = 2
	}
	best, bestD, bestN := "", maxd+1, 0
	for l := len(r) - maxd; l <= len(r)+maxd; l++ {
		for _, t := range v.byLen[l] {
			d := osa(r, []rune(t), bestD)
			if d < bestD || (d == bestD && v.docs[t] > bestN) {
				best, bestD, bestN = t, d, v.docs[t]
			}
		}
	}
	return best, best != "" && bestD <= maxd
}

// osa is the optimal string alignment distance (Levenshtein with adjacent
// transpositions) of a and b, or a value > limit once it exceeds limit.
func osa(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// SearchOptions describe a search.
type SearchOptions struct {
	Query  string
	Locale string // "" searches every language
	Limit  int
	// Any asks for articles with any of the words (related articles).
	Any bool
	// NoLog keeps the search out of the log of searches (related articles,
	// suggestions while typing).
	NoLog bool
}

// Hit is a search result.
type Hit struct {
	Article Article
	// Snippet is HTML: an escaped excerpt of the body with the matching
	// words in <mark>.
	Snippet string
}

// term is one query word with the index words that may stand for it.
type term struct {
	alts   []string
	prefix string // the word itself matched as a prefix (being typed)
}

// plan turns a query into terms: stems, Hebrew prefixes, corrections.
func (s *Service) plan(ctx context.Context, query, locale string) ([]term, []string, error) {
	toks := search.Tokens(query)
	var kept []string
	for _, t := range toks {
		if !search.IsStopWord(t) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		kept = toks
	}
	if len(kept) > 12 {
		kept = kept[:12]
	}
	v, err := s.vocabulary(ctx, locale)
	if err != nil {
		return nil, nil, err
	}
	locales := []string{locale}
	if locale == "" {
		locales = Locales
	}
	var out []term
	var shown []string
	for i, w := range kept {
		set := map[string]bool{w: true}
		for _, l := range locales {
			set[Stem(w, l)] = true
		}
		if h, ok := search.HebrewStem(w); ok {
			set[h] = true
		}
		known := false
		for x := range set {
			known = known || v.docs[x] > 0
		}
		var t term
		if !known {
			if i == len(kept)-1 && utf8.RuneCountInString(w) >= 3 && v.hasPrefix(w) {
				t.prefix = w
			} else if c, ok := v.correct(w); ok {
				set[c] = true
				shown = append(shown, c)
			}
		}
		for x := range set {
			t.alts = append(t.alts, x)
		}
		sort.Strings(t.alts)
		shown = append(shown, w)
		out = append(out, t)
	}
	return out, shown, nil
}

func fts5Query(ts []term, and bool) string {
	var parts []string
	for _, t := range ts {
		var alts []string
		for _, a := range t.alts {
			alts = append(alts, `"`+a+`"`)
		}
		if t.prefix != "" {
			alts = append(alts, `"`+t.prefix+`"*`)
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	sep := " OR "
	if and {
		sep = " AND "
	}
	return strings.Join(parts, sep)
}

func tsQuery(ts []term, and bool) string {
	var parts []string
	for _, t := range ts {
		alts := append([]string(nil), t.alts...)
		if t.prefix != "" {
			alts = append(alts, t.prefix+":*")
		}
		parts = append(parts, "("+strings.Join(alts, " | ")+")")
	}
	sep := " | "
	if and {
		sep = " & "
	}
	return strings.Join(parts, sep)
}

// Search finds the articles actor may read that match the query, best
// first.
func (s *Service) Search(ctx context.Context, actor auth.Actor, o SearchOptions) ([]Hit, error) {
	if o.Limit <= 0 || o.Limit > 50 {
		o.Limit = 10
	}
	o.Locale = NormalizeLocale(o.Locale)
	ts, shown, err := s.plan(ctx, o.Query, o.Locale)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if len(ts) > 0 {
		stages := []bool{true, false}
		if o.Any {
			stages = []bool{false}
		}
		for _, and := range stages {
			found, err := s.match(ctx, actor, ts, and, o.Locale, o.Limit)
			if err != nil {
				return nil, err
			}
			for _, id := range found {
				dup := false
				for _, x := range ids {
					dup = dup || x == id
				}
				if !dup && len(ids) < o.Limit {
					ids = append(ids, id)
				}
			}
			if len(ids) >= o.Limit {
				break
			}
		}
	}
	hits := make([]Hit, 0, len(ids))
	hq := search.Parse(strings.Join(shown, " "))
	for _, id := range ids {
		a, err := s.Get(ctx, actor, id)
		if err != nil {
			continue
		}
		snip, _ := search.Highlight(a.BodyText, hq, 24)
		hits = append(hits, Hit{Article: a, Snippet: snip})
	}
	if !o.NoLog && strings.TrimSpace(o.Query) != "" {
		if _, err := s.DB.Write().Exec(ctx, `INSERT INTO kb_searches (locale, query, results, created_at) VALUES ($1, $2, $3, $4)`,
			o.Locale, truncate(strings.TrimSpace(o.Query), 200), len(hits), store.Now()); err != nil {
			return nil, fmt.Errorf("kb search log: %w", err)
		}
	}
	return hits, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func (s *Service) match(ctx context.Context, actor auth.Actor, ts []term, and bool, locale string, limit int) ([]int64, error) {
	args := []any{""}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := visibilityWhere(actor, arg)
	if locale != "" {
		where += " AND locale = " + arg(locale)
	}
	var q string
	if s.DB.Engine == store.SQLite {
		args[0] = fts5Query(ts, and)
		q = `SELECT a.id FROM (SELECT rowid AS id, bm25(kb_fts, 10.0, 1.0) AS score FROM kb_fts WHERE kb_fts MATCH $1) m
			JOIN (SELECT id FROM kb_articles WHERE ` + where + `) a ON a.id = m.id
			ORDER BY m.score, a.id LIMIT ` + arg(limit)
	} else {
		args[0] = tsQuery(ts, and)
		q = `SELECT a.id FROM kb_search m JOIN (SELECT id FROM kb_articles WHERE ` + where + `) a ON a.id = m.article_id
			WHERE m.document @@ to_tsquery('simple', $1)
			ORDER BY ts_rank('{0, 0, 0.1, 1.0}', m.document, to_tsquery('simple', $1), 1) DESC, a.id LIMIT ` + arg(limit)
	}
	rows, err := s.DB.Read().Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("kb search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("kb search: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Gap is a search that found nothing, with how often it was made.
type Gap struct {
	Query string `json:"query"`
	Count int    `json:"count"`
}

// Gaps lists the searches that found nothing, most frequent first: the
// articles to write next.
func (s *Service) Gaps(ctx context.Context, actor auth.Actor, limit int) ([]Gap, error) {
	if !canWrite(actor) {
		return nil, auth.Forbidden("only agents see the searches")
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT lower(query), COUNT(*) FROM kb_searches WHERE results = 0 GROUP BY lower(query) ORDER BY COUNT(*) DESC, lower(query) LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("kb gaps: %w", err)
	}
	defer rows.Close()
	out := []Gap{}
	for rows.Next() {
		var g Gap
		if err := rows.Scan(&g.Query, &g.Count); err != nil {
			return nil, fmt.Errorf("kb gaps: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Linked is an article and how many recent replies linked to it.
type Linked struct {
	Article Article `json:"article"`
	Count   int     `json:"count"`
}

// LinkWindow is how many of the newest messages MostLinked reads: enough
// for the recent weeks of a busy help desk, and a bounded scan.
const LinkWindow = 20_000

var articleLinkRE = regexp.MustCompile(`/help/articles/(\d+)`)

// MostLinked returns the articles that agents' replies linked to most
// among the newest LinkWindow messages, most linked first.
func (s *Service) MostLinked(ctx context.Context, actor auth.Actor, n int) ([]Linked, error) {
	if !canWrite(actor) {
		return nil, auth.Forbidden("only agents see which articles were linked")
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT body_text FROM messages
		WHERE id > (SELECT COALESCE(MAX(id), 0) FROM messages) - $1 AND kind = 'reply' AND author_agent_id IS NOT NULL
		AND body_text LIKE '%/help/articles/%'`, LinkWindow)
	if err != nil {
		return nil, fmt.Errorf("kb links: %w", err)
	}
	counts := map[int64]int{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("kb links: %w", err)
		}
		seen := map[int64]bool{}
		for _, m := range articleLinkRE.FindAllStringSubmatch(body, -1) {
			if id, err := strconv.ParseInt(m[1], 10, 64); err == nil && !seen[id] {
				seen[id] = true
				counts[id]++
			}
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("kb links: %w", err)
	}
	out := []Linked{}
	for id, c := range counts {
		a, err := s.Get(ctx, actor, id)
		if err != nil {
			continue // deleted since
		}
		out = append(out, Linked{Article: a, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Article.ID < out[j].Article.ID
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// NormalizeLocale maps what a browser or a site sends ("pt", "en-US",
// "es-419", "iw") to one of Locales; "" (every language) when none fits.
func NormalizeLocale(l string) string {
	for _, x := range Locales {
		if strings.EqualFold(l, x) {
			return x
		}
	}
	lang, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(l, "_", "-")), "-")
	if lang == "iw" {
		lang = "he"
	}
	for _, x := range Locales {
		if xl, _, _ := strings.Cut(strings.ToLower(x), "-"); xl == lang && lang != "" {
			return x
		}
	}
	return ""
}
