package ticket

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// Filter selects tickets for a list (a view). Status values may be
// categories (open matches every status in the open category) or custom
// status keys.
type Filter struct {
	Status         []string
	Priority       []string
	AssigneeID     *int64 // 0 means unassigned
	TeamID         *int64 // 0 means no team
	TeamIDs        []int64
	Channel        []string
	InboxIDs       []int64
	Tag            string
	Tags           []string // every one of them
	RequesterID    int64
	OrganizationID int64
	CreatedFrom    *time.Time
	CreatedTo      *time.Time
	UpdatedFrom    *time.Time
	UpdatedTo      *time.Time
	// Sort is "updated" (the default), "created", "priority" (most pressing
	// first when descending) or "sla" (the next SLA due time, soonest first
	// when ascending; tickets without one come last either way).
	Sort      string
	Ascending bool
	Cursor    string
	Limit     int
	// bulk lets Export read larger pages than a client may ask for.
	bulk bool
}

// Sorts are the orders a list can have.
var Sorts = []string{"updated", "created", "priority", "sla"}

// Page is one page of a list; NextCursor is empty on the last page.
type Page struct {
	Items      []Ticket `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// priorityWeight ranks priorities, urgent highest. The migration
// 00006_views indexes exactly this expression: SQLite uses an index on an
// expression only when the query spells the same expression.
const priorityWeight = `(CASE t.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END)`

func weightOf(priority string) int {
	switch priority {
	case "urgent":
		return 4
	case "high":
		return 3
	case "normal":
		return 2
	}
	return 1
}

// cursor is the sort key of the last row of a page: a time (updated,
// created, a due time), a priority weight, or, for the tickets without a
// due time that end an SLA list, nothing but the id.
type cursor struct {
	at     time.Time
	weight int
	null   bool
	id     int64
}

// encode writes the cursor of a sort. Times of the updated and created
// sorts are in microseconds (the cursors clients already hold); due times
// in nanoseconds, as the SLA clocks compute them.
func (c cursor) encode(sort string) string {
	var key string
	switch {
	case sort == "priority":
		key = "p" + strconv.Itoa(c.weight)
	case sort == "sla" && c.null:
		key = "n"
	case sort == "sla":
		key = "d" + strconv.FormatInt(c.at.UnixNano(), 10)
	default:
		key = strconv.FormatInt(c.at.UnixMicro(), 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key + "." + strconv.FormatInt(c.id, 10)))
}

func decodeCursor(s, sort string) (cursor, error) {
	bad := validation.Field("cursor", "is not a cursor from this API")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	key, idStr, ok := strings.Cut(string(b), ".")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || err != nil {
		return cursor{}, bad
	}
	c := cursor{id: id}
	switch {
	case sort == "priority" && strings.HasPrefix(key, "p"):
		c.weight, err = strconv.Atoi(key[1:])
	case sort == "sla" && key == "n":
		c.null = true
	case sort == "sla" && strings.HasPrefix(key, "d"):
		var ns int64
		ns, err = strconv.ParseInt(key[1:], 10, 64)
		c.at = time.Unix(0, ns).UTC()
	case sort == "updated" || sort == "created":
		var us int64
		us, err = strconv.ParseInt(key, 10, 64)
		c.at = time.UnixMicro(us).UTC()
	default:
		return cursor{}, bad
	}
	if err != nil {
		return cursor{}, bad
	}
	return c, nil
}

// List returns a page of the tickets the actor may see that match f,
// paged by keyset: each page costs the same however deep it is, and
// nothing counts every row. The sort key is (updated_at, id), (created_at,
// id), (priority weight, id) or (sla_due_at, id); the SLA sort reads the
// tickets with a due time first and then those without, each part in index
// order, so NULLs come last without an ORDER BY the indexes cannot serve.
func (s *Service) List(ctx context.Context, actor auth.Actor, f Filter) (Page, error) {
	stmts, err := s.ListStatements(ctx, actor, &f)
	if err != nil {
		return Page{}, err
	}
	items := []Ticket{}
	for _, st := range stmts {
		// The last argument is the limit: what the earlier part left.
		st.Args[len(st.Args)-1] = f.Limit + 1 - len(items)
		more, err := s.listQuery(ctx, st)
		if err != nil {
			return Page{}, err
		}
		items = append(items, more...)
		if len(items) > f.Limit {
			break
		}
	}
	page := Page{Items: items}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		c := cursor{id: last.ID}
		switch f.Sort {
		case "updated":
			c.at = last.UpdatedAt
		case "created":
			c.at = last.CreatedAt
		case "priority":
			c.weight = weightOf(last.Priority)
		case "sla":
			if last.SLADueAt == nil {
				c.null = true
			} else {
				c.at = *last.SLADueAt
			}
		}
		page.NextCursor = c.encode(f.Sort)
	}
	if err := s.loadTags(ctx, page.Items); err != nil {
		return Page{}, err
	}
	if err := s.loadSLA(ctx, page.Items); err != nil {
		return Page{}, err
	}
	return page, s.decorate(ctx, page.Items)
}

// ExportPage is the page size of Export: rows stream straight out, so
// pages larger than a screen's cost fewer queries. (A variable so that
// tests can make it small.)
var ExportPage = 500

// Export walks every ticket of f in its order (keyset pages from f's
// cursor on), calling each for up to max tickets; more says tickets were
// left (the caller says so to the reader). Memory stays one page.
func (s *Service) Export(ctx context.Context, actor auth.Actor, f Filter, max int, each func(Ticket) error) (more bool, err error) {
	f.bulk = true
	n := 0
	for {
		f.Limit = min(ExportPage, max-n)
		if f.Limit <= 0 {
			return true, nil
		}
		page, err := s.List(ctx, actor, f)
		if err != nil {
			return false, err
		}
		for _, t := range page.Items {
			if err := each(t); err != nil {
				return false, err
			}
		}
		n += len(page.Items)
		if page.NextCursor == "" {
			return false, nil
		}
		f.Cursor = page.NextCursor
	}
}

// Statement is an SQL statement and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// ListStatements returns the statements List runs for a page of f, in
// order (tessera bench explain shows their plans): one, or for the SLA sort
// the tickets with a due time and then those without. The last argument of
// each is its limit. f is completed with its defaults.
func (s *Service) ListStatements(ctx context.Context, actor auth.Actor, f *Filter) ([]Statement, error) {
	if f.Limit <= 0 {
		f.Limit = 25
	}
	if f.Limit > 100 && !(f.bulk && f.Limit <= max(ExportPage, 100)) {
		return nil, validation.Field("limit", "must be at most 100")
	}
	if f.Sort == "" {
		f.Sort = "updated"
	}
	if !slices.Contains(Sorts, f.Sort) {
		return nil, validation.Field("sort", "must be one of %s", strings.Join(Sorts, ", "))
	}
	var c *cursor
	if f.Cursor != "" {
		cc, err := decodeCursor(f.Cursor, f.Sort)
		if err != nil {
			return nil, err
		}
		c = &cc
	}
	where, args, err := s.filterWhere(ctx, actor, *f)
	if err != nil {
		return nil, err
	}
	dir, cmp := "DESC", "<"
	if f.Ascending {
		dir, cmp = "ASC", ">"
	}
	limit := f.Limit + 1
	switch f.Sort {
	case "updated", "created":
		col := "t." + f.Sort + "_at"
		w, a := where, args
		if c != nil {
			w, a = keyset(w, a, col, cmp, c.at, c.id)
		}
		return []Statement{listStatement(w, a, fmt.Sprintf("%s %s, t.id %s", col, dir, dir), limit)}, nil
	case "priority":
		order := fmt.Sprintf("%s %s, t.id %s", priorityWeight, dir, dir)
		if c == nil {
			return []Statement{listStatement(where, args, order, limit)}, nil
		}
		// After a cursor: the rest of its priority, then the priorities
		// beyond. Each part seeks in the index; a row value over the
		// weight would not (SQLite seeks on the weight alone and reads
		// every ticket of that priority before the cursor).
		a1 := append(slices.Clip(args), c.weight, c.id)
		w1 := append(slices.Clip(where), fmt.Sprintf("%s = $%d", priorityWeight, len(a1)-1), fmt.Sprintf("t.id %s $%d", cmp, len(a1)))
		a2 := append(slices.Clip(args), c.weight)
		w2 := append(slices.Clip(where), fmt.Sprintf("%s %s $%d", priorityWeight, cmp, len(a2)))
		// The first part orders by id alone: its weight is fixed, and
		// SQLite does not see that an expression bound by = is constant.
		return []Statement{listStatement(w1, a1, "t.id "+dir, limit), listStatement(w2, a2, order, limit)}, nil
	}
	// The SLA sort: with a due time, then without.
	var out []Statement
	order := fmt.Sprintf("t.sla_due_at %s, t.id %s", dir, dir)
	if f.AssigneeID != nil && *f.AssigneeID == 0 && s.DB.Engine == store.Postgres {
		// The unassigned: PostgreSQL does not take IS NULL to fix the
		// column as = would, so it would not see that the index
		// (assignee_id, sla_due_at, id) gives this order; ordering by the
		// assignee first (a no-op) says so.
		order = fmt.Sprintf("t.assignee_id %s, %s", dir, order)
	}
	if c == nil || !c.null {
		w, a := append(slices.Clip(where), "t.sla_due_at IS NOT NULL"), args
		if c != nil {
			w, a = keyset(w, a, "t.sla_due_at", cmp, c.at, c.id)
		}
		out = append(out, listStatement(w, a, order, limit))
	}
	w, a := append(slices.Clip(where), "t.sla_due_at IS NULL"), slices.Clip(args)
	if c != nil && c.null {
		a = append(a, c.id)
		w = append(w, fmt.Sprintf("t.id %s $%d", cmp, len(a)))
	}
	return append(out, listStatement(w, a, order, limit)), nil
}

// keyset adds the condition "after the cursor" on (key, id) to a copy of
// the conditions.
func keyset(where []string, args []any, key, cmp string, v any, id int64) ([]string, []any) {
	args = append(slices.Clip(args), v, id)
	return append(slices.Clip(where), fmt.Sprintf("(%s, t.id) %s ($%d, $%d)", key, cmp, len(args)-1, len(args))), args
}

func listStatement(where []string, args []any, order string, limit int) Statement {
	q := `SELECT ` + ticketCols + ` FROM tickets t`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(slices.Clip(args), limit)
	return Statement{SQL: q + fmt.Sprintf(" ORDER BY %s LIMIT $%d", order, len(args)), Args: args}
}

// listQuery reads the tickets of a list statement.
func (s *Service) listQuery(ctx context.Context, st Statement) ([]Ticket, error) {
	rows, err := s.DB.Read().Query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	var items []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tickets: %w", err)
		}
		items = append(items, t)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return items, nil
}

// openTerm is the predicate of the partial indexes of migration
// 00006_views (the tickets short of closed: the work of a help desk and its
// recent past, not its history), spelled as the queries must spell it.
// Unlike IN, <> is no index lookup, so it never draws the planner to the
// indexes that lead with the status.
const openTerm = "t.status_category <> 'closed'"

// filterWhere turns a filter, and what the actor may see, into SQL
// conditions and their arguments.
func (s *Service) filterWhere(ctx context.Context, actor auth.Actor, f Filter) ([]string, []any, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where, err := s.filterConds(ctx, actor, f, arg)
	return where, args, err
}

// filterConds is filterWhere binding its values with arg, for statements
// that have arguments of their own (a search).
func (s *Service) filterConds(ctx context.Context, actor auth.Actor, f Filter, arg func(any) string) ([]string, error) {
	if !actor.IsAgent() && actor.Kind != auth.KindSystem && actor.Kind != auth.KindContact {
		return nil, auth.Forbidden("not allowed to list tickets")
	}
	// Statuses: categories are written as literals (they come from a fixed
	// list), so PostgreSQL plans with their real frequencies even in a
	// generic plan. Custom status keys are looked up for their category.
	var cats, keys []string
	open := len(f.Status) > 0 // every status shown is short of closed
	for _, st := range f.Status {
		cat := st
		if slices.Contains(Categories, st) {
			cats = append(cats, "'"+st+"'")
		} else {
			c, err := statusCategory(ctx, s.DB.Read(), st)
			if err != nil {
				return nil, err // names the field "status"
			}
			cat = c
			keys = append(keys, arg(st))
		}
		open = open && cat != StatusClosed
	}
	// A list of tickets short of closed reads a partial index of them
	// (migration 00006_views) in the list's order and stops at the page's
	// end. PostgreSQL chooses it from its statistics. SQLite plans without
	// statistics (nothing runs ANALYZE): it takes an equality or an IN on
	// any indexed column to select a handful of rows, and would read every
	// open ticket of a status, a team or nobody through that column's
	// index and sort them all. On SQLite the terms that would mislead it
	// are written with a unary +, which keeps them out of index lookups
	// (they still filter). Some keep their indexes: one agent's tickets
	// (few, read through the assignee's index), one status sorted by
	// update or due time (its indexes of 00001 and 00002 are exact), and
	// with it, sorted by update, a team or the unassigned (exact indexes
	// of 00001 too).
	agent := f.AssigneeID != nil && *f.AssigneeID > 0
	walk := s.DB.Engine == store.SQLite && open && !agent
	one := len(cats)+len(keys) == 1
	exact := one && (f.Sort == "" || f.Sort == "updated")
	col := func(c string, hide bool) string {
		if hide {
			return "+" + c
		}
		return c
	}
	if len(f.Status) > 0 {
		hide := walk && (!one || f.Sort == "priority" || f.Sort == "created")
		var ors []string
		if len(cats) > 0 {
			ors = append(ors, col("t.status_category", hide)+" IN ("+strings.Join(cats, ", ")+")")
		}
		if len(keys) > 0 {
			ors = append(ors, "t.status IN ("+strings.Join(keys, ", ")+")")
		}
		where := []string{"(" + strings.Join(ors, " OR ") + ")"}
		// SQLite uses a partial index only when the query carries its
		// predicate word for word. PostgreSQL proves by itself that
		// categories short of closed imply it, and would count the
		// redundant term as a second filter (expecting a handful of rows
		// it would rather sort), so it gets the term only for status keys.
		if open && (s.DB.Engine == store.SQLite || len(keys) > 0) {
			where = append(where, openTerm)
		}
		return s.moreConds(f, actor, arg, where, walk, exact, col)
	}
	return s.moreConds(f, actor, arg, nil, walk, exact, col)
}

// moreConds adds the conditions other than the status.
func (s *Service) moreConds(f Filter, actor auth.Actor, arg func(any) string, where []string, walk, exact bool, col func(string, bool) string) ([]string, error) {
	hide := walk && !exact // a team or the unassigned
	if len(f.Priority) > 0 {
		var ps []string
		for _, p := range f.Priority {
			if !slices.Contains(Priorities, p) {
				return nil, validation.Field("priority", "must be one of %s", strings.Join(Priorities, ", "))
			}
			ps = append(ps, arg(p))
		}
		where = append(where, "t.priority IN ("+strings.Join(ps, ", ")+")")
	}
	if f.AssigneeID != nil {
		if *f.AssigneeID == 0 {
			where = append(where, col("t.assignee_id", hide)+" IS NULL")
		} else {
			where = append(where, "t.assignee_id = "+arg(*f.AssigneeID))
		}
	}
	if len(f.TeamIDs) > 0 {
		ids := make([]string, len(f.TeamIDs))
		for i, id := range f.TeamIDs {
			ids[i] = arg(id)
		}
		where = append(where, col("t.team_id", hide || (walk && len(ids) > 1))+" IN ("+strings.Join(ids, ", ")+")")
	}
	if len(f.Channel) > 0 {
		cs := make([]string, len(f.Channel))
		for i, c := range f.Channel {
			cs[i] = arg(c)
		}
		where = append(where, "t.channel IN ("+strings.Join(cs, ", ")+")")
	}
	if len(f.InboxIDs) > 0 {
		ids := make([]string, len(f.InboxIDs))
		for i, id := range f.InboxIDs {
			ids[i] = arg(id)
		}
		where = append(where, "t.inbox_id IN ("+strings.Join(ids, ", ")+")")
	}
	if f.TeamID != nil {
		if *f.TeamID == 0 {
			where = append(where, col("t.team_id", hide)+" IS NULL")
		} else {
			where = append(where, col("t.team_id", hide)+" = "+arg(*f.TeamID))
		}
	}
	tags := f.Tags
	if f.Tag != "" {
		tags = append(slices.Clip(tags), f.Tag)
	}
	for _, tag := range tags {
		where = append(where, "t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = "+arg(strings.ToLower(tag))+")")
	}
	if f.RequesterID != 0 {
		where = append(where, "t.requester_id = "+arg(f.RequesterID))
	}
	if f.OrganizationID != 0 {
		where = append(where, "t.organization_id = "+arg(f.OrganizationID))
	}
	if f.CreatedFrom != nil {
		where = append(where, "t.created_at >= "+arg(f.CreatedFrom.UTC()))
	}
	if f.CreatedTo != nil {
		where = append(where, "t.created_at < "+arg(f.CreatedTo.UTC()))
	}
	if f.UpdatedFrom != nil {
		where = append(where, "t.updated_at >= "+arg(f.UpdatedFrom.UTC()))
	}
	if f.UpdatedTo != nil {
		where = append(where, "t.updated_at < "+arg(f.UpdatedTo.UTC()))
	}
	switch {
	case actor.Kind == auth.KindContact && actor.OrgID != 0:
		where = append(where, "(t.requester_id = "+arg(actor.ID)+" OR t.organization_id = "+arg(actor.OrgID)+")")
	case actor.Kind == auth.KindContact:
		where = append(where, "t.requester_id = "+arg(actor.ID))
	case !actor.SeesAllTickets():
		cond := []string{col("t.assignee_id", walk) + " = " + arg(actor.ID)}
		for _, id := range actor.TeamIDs {
			cond = append(cond, col("t.team_id", walk)+" = "+arg(id))
		}
		where = append(where, "("+strings.Join(cond, " OR ")+")")
	}
	return where, nil
}

// Count counts the tickets of a filter up to max: a sidebar shows "999+"
// rather than pay for counting a million rows on every page.
func (s *Service) Count(ctx context.Context, actor auth.Actor, f Filter, max int) (int, error) {
	where, args, err := s.filterWhere(ctx, actor, f)
	if err != nil {
		return 0, err
	}
	q := `SELECT 1 FROM tickets t`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, max)
	var n int
	err = s.DB.Read().QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM (%s LIMIT $%d) c`, q, len(args)), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

func placeholders(n, from int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ph, ", ")
}

func (s *Service) loadTags(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	args := make([]any, len(ts))
	idx := map[int64]int{}
	for i, t := range ts {
		args[i] = t.ID
		idx[t.ID] = i
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`+placeholders(len(ts), 1)+`) ORDER BY tag`, args...)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		ts[idx[id]].Tags = append(ts[idx[id]].Tags, tag)
	}
	return rows.Err()
}

// decorate fills in the requester of each ticket with two queries in all.
func (s *Service) decorate(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	seen := map[int64]*Person{}
	var args []any
	for _, t := range ts {
		if _, ok := seen[t.RequesterID]; !ok {
			seen[t.RequesterID] = &Person{ID: t.RequesterID}
			args = append(args, t.RequesterID)
		}
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT c.id, c.name, COALESCE((SELECT i.value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email'
		ORDER BY i.is_primary DESC, i.id LIMIT 1), '') FROM contacts c WHERE c.id IN (`+placeholders(len(args), 1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("requesters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Email); err != nil {
			return fmt.Errorf("requesters: %w", err)
		}
		*seen[p.ID] = p
	}
	for i := range ts {
		ts[i].Requester = seen[ts[i].RequesterID]
	}
	return rows.Err()
}

// Hit is one search result.
type Hit struct {
	Ticket  Ticket `json:"ticket"`
	Subject string `json:"subject_highlight"`
	Excerpt string `json:"excerpt"`
}

// SearchResult is one page of search hits.
type SearchResult struct {
	Items      []Hit  `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// Search finds tickets by the words of their subject and messages, best
// first, with highlighted excerpts. "#1042" or "1042" also finds the ticket
// with that number. Only agents search; scope follows ticket access.
func (s *Service) Search(ctx context.Context, actor auth.Actor, q string, cursorStr string, limit int) (SearchResult, error) {
	return s.SearchIn(ctx, actor, q, nil, cursorStr, limit)
}

// SearchIn is Search among the tickets of a filter (a saved view with a
// text query). Results are ranked like any search, so they page by offset
// up to 1,000 results and ignore the filter's sort: relevance decides the
// order, and only the newest search.RankWindow matches of a stage are
// ranked. A ticket number finds that ticket only without a filter.
func (s *Service) SearchIn(ctx context.Context, actor auth.Actor, q string, f *Filter, cursorStr string, limit int) (SearchResult, error) {
	if !actor.IsAgent() && actor.Kind != auth.KindSystem {
		return SearchResult{}, auth.Forbidden("only agents search tickets")
	}
	if strings.TrimSpace(q) == "" {
		return SearchResult{}, validation.Field("q", "must not be empty")
	}
	if len(q) > 500 {
		return SearchResult{}, validation.Field("q", "must be at most 500 characters")
	}
	if limit <= 0 {
		limit = 20
	}
	if limit > 50 {
		return SearchResult{}, validation.Field("limit", "must be at most 50")
	}
	offset := 0
	if cursorStr != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursorStr)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "o"))
		if err != nil || err2 != nil || n < 0 || n > 1000 {
			return SearchResult{}, validation.Field("cursor", "is not a cursor from this API")
		}
		offset = n
	}
	query := search.Parse(q)
	scope := s.searchScope(ctx, actor, f)
	var ids []int64
	if offset == 0 && f == nil {
		if n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(q), "#"), 10, 64); err == nil {
			if t, err := s.ByNumber(ctx, actor, n); err == nil {
				ids = append(ids, t.ID)
			}
		}
	}
	found, err := search.Tickets(ctx, s.DB, query, scope, offset, limit+1)
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Items: []Hit{}}
	if len(found) > limit {
		found = found[:limit]
		if offset+limit <= 1000 {
			res.NextCursor = base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset+limit)))
		}
	}
	for _, id := range found {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return res, nil
	}
	tickets, err := s.byIDs(ctx, ids)
	if err != nil {
		return SearchResult{}, err
	}
	excerpts, err := s.excerpts(ctx, ids, query)
	if err != nil {
		return SearchResult{}, err
	}
	for _, t := range tickets {
		subj, _ := search.Highlight(t.Subject, query, 0)
		res.Items = append(res.Items, Hit{Ticket: t, Subject: subj, Excerpt: excerpts[t.ID]})
	}
	return res, nil
}

// searchScope limits a search to what actor may see and, if f is set, to
// the tickets of f.
func (s *Service) searchScope(ctx context.Context, actor auth.Actor, f *Filter) search.Scope {
	scope := search.Scope{Restricted: !actor.SeesAllTickets(), AgentID: actor.ID, TeamIDs: actor.TeamIDs}
	if f != nil {
		scope.Where = func(arg func(any) string) (string, error) {
			where, err := s.filterConds(ctx, actor, *f, arg)
			return strings.Join(where, " AND "), err
		}
	}
	return scope
}

// CountSearch counts, up to max, the tickets of f that a search for q
// shows (see search.Count): the count of a saved view with a query.
func (s *Service) CountSearch(ctx context.Context, actor auth.Actor, q string, f Filter, max int) (int, error) {
	if !actor.IsAgent() && actor.Kind != auth.KindSystem {
		return 0, auth.Forbidden("only agents search tickets")
	}
	return search.Count(ctx, s.DB, search.Parse(q), s.searchScope(ctx, actor, &f), max)
}

// byIDs loads tickets in the order of ids.
func (s *Service) byIDs(ctx context.Context, ids []int64) ([]Ticket, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+ticketCols+` FROM tickets t WHERE t.id IN (`+placeholders(len(ids), 1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	byID := map[int64]Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[t.ID] = t
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make([]Ticket, 0, len(ids))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	if err := s.loadTags(ctx, out); err != nil {
		return nil, err
	}
	return out, s.decorate(ctx, out)
}

// excerpts finds, for each ticket, the newest message that contains the
// words searched for and returns a highlighted excerpt of it.
func (s *Service) excerpts(ctx context.Context, ids []int64, q search.Query) (map[int64]string, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT ticket_id, body_text FROM messages WHERE ticket_id IN (`+placeholders(len(ids), 1)+`) ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("excerpts: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		if _, done := out[id]; done {
			continue
		}
		if h, ok := search.Highlight(body, q, 24); ok {
			out[id] = h
		}
	}
	return out, rows.Err()
}
