package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// summaryAnswers says whether the summary tables answer the report
// exactly: they are filled (report_summary_state), the filters are among
// their dimensions (not tag or organization), no business-hours figures
// are asked for (those depend on the calendar chosen), and the viewer's
// zone is a whole number of hours off UTC over the whole period, so every
// UTC hour bucket falls in one local hour.
func (s *Service) summaryAnswers(ctx context.Context, f Filter, start, end time.Time) (bool, error) {
	if f.scan || f.Tag != "" || f.OrgID != nil || f.CalendarID != nil {
		return false, nil
	}
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
	}
	for t := start; t.Before(end); {
		_, off := t.In(loc).Zone()
		if off%3600 != 0 {
			return false, nil
		}
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() {
			break
		}
		t = next
	}
	var ready int64
	if err := s.DB.Read().QueryRow(ctx, `SELECT ready FROM report_summary_state`).Scan(&ready); err != nil {
		return false, fmt.Errorf("report summary state: %w", err)
	}
	return ready == 1, nil
}

// summaryWhere builds the summary's filter (Filter.where on the filed
// values).
func (f Filter) summaryWhere(args *[]any) string { return f.conditions("", args, false) }

// hist is an exact histogram: value (hundredths of a minute) → count.
type hist map[int64]int64

// stat returns the nearest-rank median and 90th percentile, as stat does
// on the samples.
func (h hist) stat() Stat {
	var total int64
	keys := make([]int64, 0, len(h))
	for k, n := range h {
		if n > 0 {
			keys = append(keys, k)
			total += n
		}
	}
	st := Stat{Count: int(total)}
	if total == 0 {
		return st
	}
	slices.Sort(keys)
	rank := func(p float64) *float64 {
		want := max(int64(math.Ceil(p*float64(total))), 1)
		var seen int64
		for _, k := range keys {
			seen += h[k]
			if seen >= want {
				v := float64(k) / 100
				return &v
			}
		}
		return nil
	}
	st.Median, st.P90 = rank(0.5), rank(0.9)
	return st
}

// fromSummary computes the figures from the summary tables.
func (s *Service) fromSummary(ctx context.Context, f Filter, start, end time.Time, out *Summary, agent func(int64) *Agent) error {
	t0 := time.Now()
	loc := f.Loc
	hs, he := hourOf(start), hourOf(end)
	q := s.DB.Read()
	days := map[string]*Day{}
	for i := range out.Days {
		days[out.Days[i].Date] = &out.Days[i]
	}

	args := []any{hs, he}
	rows, err := q.Query(ctx, `SELECT h, kind, SUM(n) FROM report_counts WHERE h >= $1 AND h < $2 AND kind IN ('created', 'solved', 'reopened')`+
		f.summaryWhere(&args)+` GROUP BY h, kind`, args...)
	if err != nil {
		return fmt.Errorf("report counts: %w", err)
	}
	for rows.Next() {
		var h, n int64
		var kind string
		if err := rows.Scan(&h, &kind, &n); err != nil {
			rows.Close()
			return fmt.Errorf("report counts: %w", err)
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
		return fmt.Errorf("report counts: %w", err)
	}
	mark("counts", &t0)
	if f.volumeOnly {
		return nil
	}

	args = []any{hs, he}
	if rows, err = q.Query(ctx, `SELECT kind, actor_id, SUM(n) FROM report_counts WHERE h >= $1 AND h < $2 AND kind IN ('solved', 'reply') AND actor_id <> 0`+
		f.summaryWhere(&args)+` GROUP BY kind, actor_id`, args...); err != nil {
		return fmt.Errorf("report agents: %w", err)
	}
	for rows.Next() {
		var id, n int64
		var kind string
		if err := rows.Scan(&kind, &id, &n); err != nil {
			rows.Close()
			return fmt.Errorf("report agents: %w", err)
		}
		if n == 0 {
			continue
		}
		if kind == "solved" {
			agent(id).Solved += int(n)
		} else {
			agent(id).Replies += int(n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report agents: %w", err)
	}
	mark("agents", &t0)

	first, agentFirst := hist{}, map[int64]hist{}
	args = []any{hs, he}
	if rows, err = q.Query(ctx, `SELECT actor_id, minutes, SUM(n) FROM report_times WHERE h >= $1 AND h < $2 AND kind = 'first_reply'`+
		f.summaryWhere(&args)+` GROUP BY actor_id, minutes`, args...); err != nil {
		return fmt.Errorf("report first replies: %w", err)
	}
	for rows.Next() {
		var id, m, n int64
		if err := rows.Scan(&id, &m, &n); err != nil {
			rows.Close()
			return fmt.Errorf("report first replies: %w", err)
		}
		first[m] += n
		if id != 0 && n > 0 {
			if agentFirst[id] == nil {
				agentFirst[id] = hist{}
			}
			agentFirst[id][m] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report first replies: %w", err)
	}
	out.FirstReply = first.stat()
	for id, h := range agentFirst {
		agent(id).FirstReplyMedian = h.stat().Median
	}
	mark("first", &t0)

	// Each ticket's last solve in the period: its next solve (if any) is
	// at or after the end.
	res := hist{}
	var solvedTickets, oneTouch, replies int64
	args = []any{hs, he}
	if rows, err = q.Query(ctx, `SELECT minutes, replies, SUM(n) FROM report_times WHERE h >= $1 AND h < $2 AND kind = 'resolution' AND next_h >= $2`+
		f.summaryWhere(&args)+` GROUP BY minutes, replies`, args...); err != nil {
		return fmt.Errorf("report resolutions: %w", err)
	}
	for rows.Next() {
		var m, r, n int64
		if err := rows.Scan(&m, &r, &n); err != nil {
			rows.Close()
			return fmt.Errorf("report resolutions: %w", err)
		}
		res[m] += n
		solvedTickets += n
		replies += r * n
		if r == 1 {
			oneTouch += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report resolutions: %w", err)
	}
	out.Resolution = res.stat()
	if solvedTickets > 0 {
		out.OneTouchRate = ratio(int(oneTouch), int(solvedTickets))
		avg := math.Round(float64(replies)/float64(solvedTickets)*100) / 100
		out.RepliesPerTicket = &avg
	}
	mark("resolution", &t0)

	if err := s.slaJoint(ctx, f, hs, he, out); err != nil {
		return err
	}
	mark("sla", &t0)

	args = []any{hs, he}
	if rows, err = q.Query(ctx, `SELECT tag, SUM(n) FROM report_tags WHERE h >= $1 AND h < $2`+f.summaryWhere(&args)+`
		GROUP BY tag HAVING SUM(n) > 0 ORDER BY 2 DESC, 1 LIMIT `+fmt.Sprint(TopTagsLimit), args...); err != nil {
		return fmt.Errorf("report top tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.N); err != nil {
			return fmt.Errorf("report top tags: %w", err)
		}
		out.TopTags = append(out.TopTags, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report top tags: %w", err)
	}
	mark("tags", &t0)
	return nil
}

// slaJoint counts the SLA outcomes from the joint hourly table.
func (s *Service) slaJoint(ctx context.Context, f Filter, hs, he int64, out *Summary) error {
	// SLA: a (ticket, metric) breached in the period counts once, at its
	// first breach in the period; one achieved counts at its first
	// achievement in the period when no breach falls in the period.
	args := []any{hs, he}
	rows, err := s.DB.Read().Query(ctx, `SELECT metric, priority, outcome, SUM(n) FROM report_sla WHERE h >= $1 AND h < $2 AND prev_h < $1
		AND (outcome = 'breached' OR (breach_before < $1 AND breach_after >= $2))`+f.summaryWhere(&args)+` GROUP BY metric, priority, outcome`, args...)
	if err != nil {
		return fmt.Errorf("report sla: %w", err)
	}
	perMetric := map[string]*SLAMetric{}
	perPriority := map[[2]string]*SLAMetric{}
	var achieved, breached int
	for rows.Next() {
		var metric, priority, outcome string
		var n int64
		if err := rows.Scan(&metric, &priority, &outcome, &n); err != nil {
			rows.Close()
			return fmt.Errorf("report sla: %w", err)
		}
		if n == 0 {
			continue
		}
		m := perMetric[metric]
		if m == nil {
			m = &SLAMetric{Metric: metric}
			perMetric[metric] = m
		}
		p := perPriority[[2]string{metric, priority}]
		if p == nil {
			p = &SLAMetric{Metric: metric, Priority: priority}
			perPriority[[2]string{metric, priority}] = p
		}
		if outcome == "achieved" {
			m.Achieved += int(n)
			p.Achieved += int(n)
			achieved += int(n)
		} else {
			m.Breached += int(n)
			p.Breached += int(n)
			breached += int(n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report sla: %w", err)
	}
	out.SLA, out.SLAByPriority = slaLists(perMetric, perPriority)
	out.SLAAchievedRate = ratio(achieved, achieved+breached)

	return nil
}
