package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/store"
)

// rollDim says which rollup answers the filter: the whole desk, the one
// dimension it filters on (several values for a team-limited agent), or
// the pair of dimensions it filters on (every combination of their
// values). A filter on three dimensions or more, or on the team twice,
// reads the joint hourly tables.
func (f Filter) rollDim() (dim string, vals []string, ok bool) {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	type on struct {
		name string
		vals []string
	}
	var set []on // in rollNames order
	if f.TeamID != nil {
		set = append(set, on{"team", []string{id(*f.TeamID)}})
	}
	if f.Teams != nil {
		if len(f.Teams) == 0 {
			return "", nil, false
		}
		var vs []string
		for _, t := range f.Teams {
			vs = append(vs, id(t))
		}
		set = append(set, on{"team", vs})
	}
	if f.AgentID != nil {
		set = append(set, on{"assignee", []string{id(*f.AgentID)}})
	}
	if f.InboxID != nil {
		set = append(set, on{"inbox", []string{id(*f.InboxID)}})
	}
	if f.Channel != "" {
		set = append(set, on{"channel", []string{f.Channel}})
	}
	if f.Priority != "" {
		set = append(set, on{"priority", []string{f.Priority}})
	}
	switch len(set) {
	case 0:
		return "", []string{""}, true
	case 1:
		return set[0].name, set[0].vals, true
	case 2:
		a, b := set[0], set[1]
		if a.name == b.name {
			return "", nil, false
		}
		for _, x := range a.vals {
			for _, y := range b.vals {
				vals = append(vals, x+pairSep+y)
			}
		}
		return a.name + "+" + b.name, vals, true
	}
	return "", nil, false
}

// rollWhere selects a rollup's rows.
func rollWhere(dim string, vals []string, args *[]any) string {
	*args = append(*args, dim)
	w := fmt.Sprintf("dim = $%d AND val IN (", len(*args))
	for i, v := range vals {
		*args = append(*args, v)
		if i > 0 {
			w += ", "
		}
		w += fmt.Sprintf("$%d", len(*args))
	}
	return w + ")"
}

// bins is a coarse histogram (bin → count) of exact values kept in
// report_times.
type bins map[int64]int64

// rank finds the bin holding the nearest-rank p-quantile of total values
// and the value's rank within the bin (from 1).
func (b bins) rank(total int64, p float64) (bin, k int64) {
	keys := make([]int64, 0, len(b))
	for k, n := range b {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	want := max(int64(math.Ceil(p*float64(total))), 1)
	var seen int64
	for _, key := range keys {
		if seen+b[key] >= want {
			return key, want - seen
		}
		seen += b[key]
	}
	return -1, 0
}

// scanTriples reads rows of three integers.
func scanTriples(rows store.Rows, fn func(a, b, n int64)) error {
	defer rows.Close()
	for rows.Next() {
		var a, b, n int64
		if err := rows.Scan(&a, &b, &n); err != nil {
			return err
		}
		fn(a, b, n)
	}
	return rows.Err()
}

// fromRollups computes the figures of a report on the whole desk or one
// dimension: volumes from the hourly rollup; the rest from the daily one
// for the period's whole UTC days and from the joint hourly tables for
// its first and last hours; exact percentiles by finding the coarse bin
// that holds the rank, then the exact values of that bin alone. It says
// false when the period holds no whole UTC day (the joint tables are then
// as quick).
func (s *Service) fromRollups(ctx context.Context, f Filter, start, end time.Time, out *Summary, agent func(int64) *Agent) (bool, error) {
	dim, vals, ok := f.rollDim()
	hs, he := hourOf(start), hourOf(end)
	ds, de := (hs+23)/24, he/24
	if !ok || ds >= de {
		return false, nil
	}
	t0 := time.Now()
	loc := f.Loc
	q := s.DB.Read()
	days := map[string]*Day{}
	for i := range out.Days {
		days[out.Days[i].Date] = &out.Days[i]
	}
	args := []any{hs, he}
	rows, err := q.Query(ctx, `SELECT h, kind, SUM(n) FROM report_roll_hours WHERE `+rollWhere(dim, vals, &args)+` AND h >= $1 AND h < $2 GROUP BY h, kind`, args...)
	if err != nil {
		return false, fmt.Errorf("report volumes: %w", err)
	}
	for rows.Next() {
		var h, n int64
		var kind string
		if err := rows.Scan(&h, &kind, &n); err != nil {
			rows.Close()
			return false, fmt.Errorf("report volumes: %w", err)
		}
		lt := time.Unix(h*3600, 0).In(loc)
		day := days[lt.Format(time.DateOnly)]
		switch kind {
		case "created":
			out.Created += int(n)
			out.Hours[lt.Weekday()][lt.Hour()] += int(n)
			if day != nil {
				day.Created += int(n)
			}
		case "solved":
			out.Solved += int(n)
			if day != nil {
				day.Solved += int(n)
			}
		case "reopened":
			out.Reopened += int(n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("report volumes: %w", err)
	}
	mark("counts", &t0)
	if f.volumeOnly {
		return true, nil
	}

	// daily reads the rollup's whole days; edges the joint hourly tables'
	// first and last hours (args from $1: hs, ds*24, de*24, he).
	daily := func(cols, kinds, group string) (store.Rows, error) {
		args := []any{ds, de}
		return q.Query(ctx, `SELECT `+cols+`, SUM(n) FROM report_roll_days WHERE `+rollWhere(dim, vals, &args)+` AND d >= $1 AND d < $2 AND kind IN (`+kinds+`) GROUP BY `+group, args...)
	}
	edges := func(table, cols, cond, group string) (store.Rows, error) {
		args := []any{hs, ds * 24, de * 24, he}
		return q.Query(ctx, `SELECT `+cols+`, SUM(n) FROM `+table+` WHERE ((h >= $1 AND h < $2) OR (h >= $3 AND h < $4)) AND `+cond+f.summaryWhere(&args)+` GROUP BY `+group, args...)
	}
	kindOf := map[string]int64{"agent_solved": 0, "solved": 0, "reply": 1}
	addAgent := func(kind string, id, n int64) {
		if n == 0 || id == 0 {
			return
		}
		if kindOf[kind] == 0 {
			agent(id).Solved += int(n)
		} else {
			agent(id).Replies += int(n)
		}
	}
	for _, read := range []func() (store.Rows, error){
		func() (store.Rows, error) {
			return daily("kind, actor_id", "'agent_solved', 'reply'", "kind, actor_id")
		},
		func() (store.Rows, error) {
			return edges("report_counts", "kind, actor_id", "kind IN ('solved', 'reply') AND actor_id <> 0", "kind, actor_id")
		},
	} {
		rows, err := read()
		if err != nil {
			return false, fmt.Errorf("report agents: %w", err)
		}
		for rows.Next() {
			var kind string
			var id, n int64
			if err := rows.Scan(&kind, &id, &n); err != nil {
				rows.Close()
				return false, fmt.Errorf("report agents: %w", err)
			}
			addAgent(kind, id, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, fmt.Errorf("report agents: %w", err)
		}
	}
	mark("agents", &t0)

	// exact is the k-th smallest value (from 1) of a bin over the period.
	exact := func(kind string, bin, k int64, extra string, extraArgs ...any) (*float64, error) {
		args := []any{kind, bin, hs, he}
		args = append(args, extraArgs...)
		rows, err := q.Query(ctx, `SELECT minutes, 0, SUM(n) FROM report_times WHERE kind = $1 AND bin = $2 AND h >= $3 AND h < $4`+extra+f.summaryWhere(&args)+` GROUP BY minutes ORDER BY minutes`, args...)
		if err != nil {
			return nil, err
		}
		var v *float64
		var seen int64
		err = scanTriples(rows, func(m, _, n int64) {
			if v == nil && seen+n >= k {
				x := float64(m) / 100
				v = &x
			}
			seen += n
		})
		return v, err
	}
	stat := func(kind string, b bins, extra string, extraArgs ...any) (Stat, error) {
		var total int64
		for _, n := range b {
			total += n
		}
		st := Stat{Count: int(total)}
		if total == 0 {
			return st, nil
		}
		var err error
		for _, p := range []struct {
			q   float64
			dst **float64
		}{{0.5, &st.Median}, {0.9, &st.P90}} {
			bin, k := b.rank(total, p.q)
			if *p.dst, err = exact(kind, bin, k, extra, extraArgs...); err != nil {
				return st, err
			}
		}
		return st, nil
	}

	first, agentFirst := bins{}, map[int64]bins{}
	addFirst := func(actor, bin, n int64) {
		first[bin] += n
		if actor != 0 && n != 0 {
			if agentFirst[actor] == nil {
				agentFirst[actor] = bins{}
			}
			agentFirst[actor][bin] += n
		}
	}
	if rows, err = daily("actor_id, bin", "'first_reply'", "actor_id, bin"); err == nil {
		err = scanTriples(rows, addFirst)
	}
	if err == nil {
		if rows, err = edges("report_times", "actor_id, bin", "kind = 'first_reply'", "actor_id, bin"); err == nil {
			err = scanTriples(rows, addFirst)
		}
	}
	if err != nil {
		return false, fmt.Errorf("report first replies: %w", err)
	}
	if out.FirstReply, err = stat("first_reply", first, ""); err != nil {
		return false, fmt.Errorf("report first replies: %w", err)
	}
	for id, b := range agentFirst {
		st, err := stat("first_reply", b, " AND actor_id = $5", id)
		if err != nil {
			return false, fmt.Errorf("report first replies: %w", err)
		}
		agent(id).FirstReplyMedian = st.Median
	}
	mark("first", &t0)

	// Resolutions: the rollup holds the solves no other solve followed
	// (always their ticket's last); the edges and the solves followed by
	// another come from report_times, kept when the next is after the
	// period.
	res := bins{}
	var solvedTickets, oneTouch, replies int64
	addRes := func(bin, r, n int64) {
		res[bin] += n
		solvedTickets += n
		replies += r * n
		if r == 1 {
			oneTouch += n
		}
	}
	if rows, err = daily("bin, replies", "'resolution'", "bin, replies"); err == nil {
		err = scanTriples(rows, addRes)
	}
	if err == nil {
		if rows, err = edges("report_times", "bin, replies", "kind = 'resolution' AND next_h >= $4", "bin, replies"); err == nil {
			err = scanTriples(rows, addRes)
		}
	}
	if err == nil {
		// The literal bound lets the engines use the partial index.
		args := []any{ds * 24, de * 24, he}
		rows, err = q.Query(ctx, `SELECT bin, replies, SUM(n) FROM report_times WHERE kind = 'resolution' AND next_h < 2147483647 AND h >= $1 AND h < $2 AND next_h >= $3`+
			f.summaryWhere(&args)+` GROUP BY bin, replies`, args...)
		if err == nil {
			err = scanTriples(rows, addRes)
		}
	}
	if err != nil {
		return false, fmt.Errorf("report resolutions: %w", err)
	}
	if out.Resolution, err = stat("resolution", res, fmt.Sprintf(" AND next_h >= %d", he)); err != nil {
		return false, fmt.Errorf("report resolutions: %w", err)
	}
	if solvedTickets > 0 {
		out.OneTouchRate = ratio(int(oneTouch), int(solvedTickets))
		avg := math.Round(float64(replies)/float64(solvedTickets)*100) / 100
		out.RepliesPerTicket = &avg
	}
	mark("resolution", &t0)

	if err := s.slaJoint(ctx, f, hs, he, out); err != nil {
		return false, err
	}
	mark("sla", &t0)

	tags := map[string]int{}
	for _, read := range []func() (store.Rows, error){
		func() (store.Rows, error) { return daily("tag", "'tag'", "tag") },
		func() (store.Rows, error) { return edges("report_tags", "tag", "1 = 1", "tag") },
	} {
		rows, err := read()
		if err != nil {
			return false, fmt.Errorf("report top tags: %w", err)
		}
		for rows.Next() {
			var tag string
			var n int
			if err := rows.Scan(&tag, &n); err != nil {
				rows.Close()
				return false, fmt.Errorf("report top tags: %w", err)
			}
			tags[tag] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, fmt.Errorf("report top tags: %w", err)
		}
	}
	for tag, n := range tags {
		if n > 0 {
			out.TopTags = append(out.TopTags, Count{Key: tag, N: n})
		}
	}
	slices.SortFunc(out.TopTags, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Key, b.Key)
	})
	out.TopTags = out.TopTags[:min(len(out.TopTags), TopTagsLimit)]
	mark("tags", &t0)
	return true, nil
}
