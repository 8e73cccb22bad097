package sla

import (
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func weekdays(ivs []Interval, days ...time.Weekday) [7][]Interval {
	var w [7][]Interval
	for _, d := range days {
		w[d] = ivs
	}
	return w
}

// brazil works Monday to Friday, 09:00–12:00 and 13:00–18:00 in São Paulo,
// closed on Christmas (every year) and on Carnival Monday 2027.
func brazil(t testing.TB) *Calendar {
	return &Calendar{
		Name:     "Brasil",
		Location: mustLoad(t, "America/Sao_Paulo"),
		Week:     weekdays([]Interval{{9 * 60, 12 * 60}, {13 * 60, 18 * 60}}, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday),
		Holidays: []Holiday{{Month: time.December, Day: 25, Name: "Natal"}, {Month: time.January, Day: 1, Name: "Ano Novo"}, {Year: 2027, Month: time.February, Day: 8, Name: "Carnaval"}},
	}
}

// israel works Sunday to Thursday, 08:00–17:00 in Jerusalem.
func israel(t testing.TB) *Calendar {
	return &Calendar{Name: "Israel", Location: mustLoad(t, "Asia/Jerusalem"),
		Week: weekdays([]Interval{{8 * 60, 17 * 60}}, time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday)}
}

// nightShift works 22:00–06:00 starting Monday to Friday evenings in New York.
func nightShift(t testing.TB) *Calendar {
	return &Calendar{Name: "Night", Location: mustLoad(t, "America/New_York"),
		Week: weekdays([]Interval{{22 * 60, 6 * 60}}, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)}
}

func TestAdd(t *testing.T) {
	sp := mustLoad(t, "America/Sao_Paulo")
	jer := mustLoad(t, "Asia/Jerusalem")
	ny := mustLoad(t, "America/New_York")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	cases := []struct {
		name string
		cal  *Calendar
		from time.Time
		add  time.Duration
		want time.Time
	}{
		{"inside a morning", brazil(t), at(sp, 2026, 11, 23, 10, 0), time.Hour, at(sp, 2026, 11, 23, 11, 0)},
		{"over lunch", brazil(t), at(sp, 2026, 11, 23, 11, 30), time.Hour, at(sp, 2026, 11, 23, 13, 30)},
		{"before opening", brazil(t), at(sp, 2026, 11, 23, 6, 0), 30 * time.Minute, at(sp, 2026, 11, 23, 9, 30)},
		{"friday evening to monday", brazil(t), at(sp, 2026, 11, 27, 17, 0), 2 * time.Hour, at(sp, 2026, 11, 30, 10, 0)},
		{"saturday to monday", brazil(t), at(sp, 2026, 11, 28, 12, 0), 8 * time.Hour, at(sp, 2026, 11, 30, 18, 0)},
		{"exactly the end of the day", brazil(t), at(sp, 2026, 11, 23, 9, 0), 8 * time.Hour, at(sp, 2026, 11, 23, 18, 0)},
		{"christmas is skipped", brazil(t), at(sp, 2026, 12, 24, 17, 0), 2 * time.Hour, at(sp, 2026, 12, 28, 10, 0)},
		{"across the year end and new year's day", brazil(t), at(sp, 2026, 12, 31, 17, 0), 2 * time.Hour, at(sp, 2027, 1, 4, 10, 0)},
		{"a one-off holiday", brazil(t), at(sp, 2027, 2, 5, 18, 0), time.Hour, at(sp, 2027, 2, 9, 10, 0)},
		{"a week of business hours", brazil(t), at(sp, 2026, 11, 23, 9, 0), 40 * time.Hour, at(sp, 2026, 11, 27, 18, 0)},
		{"israel thursday to sunday", israel(t), at(jer, 2026, 11, 26, 16, 0), 2 * time.Hour, at(jer, 2026, 11, 29, 9, 0)},
		// Israel moves clocks forward on Friday 27 March 2026 at 02:00:
		// Thursday 16:00 + 2 business hours is Sunday 09:00 local all the same.
		{"israel over the spring change", israel(t), at(jer, 2026, 3, 26, 16, 0), 2 * time.Hour, at(jer, 2026, 3, 29, 9, 0)},
		{"israel over the autumn change", israel(t), at(jer, 2026, 10, 22, 16, 0), 2 * time.Hour, at(jer, 2026, 10, 25, 9, 0)},
		{"night shift starts", nightShift(t), at(ny, 2026, 11, 23, 20, 0), time.Hour, at(ny, 2026, 11, 23, 23, 0)},
		{"night shift through midnight", nightShift(t), at(ny, 2026, 11, 23, 23, 0), 2 * time.Hour, at(ny, 2026, 11, 24, 1, 0)},
		{"night shift morning to evening", nightShift(t), at(ny, 2026, 11, 24, 5, 0), 2 * time.Hour, at(ny, 2026, 11, 24, 23, 0)},
		{"friday night runs into saturday", nightShift(t), at(ny, 2026, 11, 28, 5, 0), 2 * time.Hour, at(ny, 2026, 11, 30, 23, 0)},
		// New York's clocks go back at 02:00 on Sunday 1 November 2026, but
		// nobody works that night; on Sunday 8 March 2026 they jump forward.
		{"night shift after spring forward", nightShift(t), at(ny, 2026, 3, 9, 22, 0), 8 * time.Hour, at(ny, 2026, 3, 10, 6, 0)},
		{"24/7 over the autumn change is elapsed time", &Calendar{Location: ny, Week: Always().Week}, at(ny, 2026, 11, 1, 0, 30), 3 * time.Hour, at(ny, 2026, 11, 1, 2, 30)},
		{"zero", brazil(t), at(sp, 2026, 11, 28, 12, 0), 0, at(sp, 2026, 11, 28, 12, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.cal.Add(c.from, c.add)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(c.want) {
				t.Errorf("Add(%s, %s) = %s, want %s", c.from, c.add, got.In(c.want.Location()), c.want)
			}
			if c.add > 0 {
				if back := c.cal.Between(c.from, got); back != c.add {
					t.Errorf("Between(from, Add(from, %s)) = %s", c.add, back)
				}
			}
		})
	}
}

func TestBetweenAndNext(t *testing.T) {
	sp := mustLoad(t, "America/Sao_Paulo")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, sp) }
	b := brazil(t)
	cases := []struct {
		a, b time.Time
		want time.Duration
	}{
		{at(2026, 11, 23, 8, 0), at(2026, 11, 23, 19, 0), 8 * time.Hour},
		{at(2026, 11, 27, 17, 0), at(2026, 11, 30, 10, 0), 2 * time.Hour},
		{at(2026, 11, 28, 0, 0), at(2026, 11, 29, 23, 0), 0},
		{at(2026, 11, 30, 10, 0), at(2026, 11, 27, 17, 0), -2 * time.Hour},
		{at(2026, 12, 21, 0, 0), at(2026, 12, 28, 0, 0), 4 * 8 * time.Hour},
	}
	for _, c := range cases {
		if got := b.Between(c.a, c.b); got != c.want {
			t.Errorf("Between(%s, %s) = %s, want %s", c.a, c.b, got, c.want)
		}
	}
	next, err := b.Next(at(2026, 11, 27, 18, 0))
	if err != nil || !next.Equal(at(2026, 11, 30, 9, 0)) {
		t.Errorf("Next(Friday 18:00) = %s, %v", next, err)
	}
	if !b.Open(at(2026, 11, 27, 17, 59)) || b.Open(at(2026, 11, 27, 12, 30)) || b.Open(at(2026, 12, 25, 10, 0)) {
		t.Error("Open is wrong")
	}
}

func TestEmptyCalendar(t *testing.T) {
	c := &Calendar{Location: time.UTC}
	if _, err := c.Add(time.Now(), time.Hour); err != ErrNoBusinessTime {
		t.Errorf("Add on an empty calendar: %v", err)
	}
	if _, err := c.Next(time.Now()); err != ErrNoBusinessTime {
		t.Errorf("Next on an empty calendar: %v", err)
	}
	if d := c.Between(time.Now(), time.Now().Add(time.Hour)); d != 0 {
		t.Errorf("Between = %s", d)
	}
}

func TestValidate(t *testing.T) {
	bad := []*Calendar{
		{},
		{Location: time.UTC, Week: [7][]Interval{{{Start: -1, End: 60}}}},
		{Location: time.UTC, Week: [7][]Interval{{{Start: 0, End: 1441}}}},
		{Location: time.UTC, Holidays: []Holiday{{Month: 13, Day: 1}}},
	}
	for i, c := range bad {
		if c.Validate() == nil {
			t.Errorf("calendar %d accepted", i)
		}
	}
	if err := brazil(t).Validate(); err != nil {
		t.Error(err)
	}
}

// FuzzAddBetween checks on random instants and durations that Between
// undoes Add, for an overnight calendar with holidays.
func FuzzAddBetween(f *testing.F) {
	f.Add(int64(1795000000), int64(125))
	f.Add(int64(1772950000), int64(480))
	f.Fuzz(func(t *testing.T, unix int64, minutes int64) {
		if unix < 1500000000 || unix > 2000000000 || minutes < 0 || minutes > 100000 {
			return
		}
		c := nightShift(t)
		c.Holidays = []Holiday{{Month: time.July, Day: 4}}
		from := time.Unix(unix, 0)
		got, err := c.AddMinutes(from, int(minutes))
		if err != nil {
			t.Fatal(err)
		}
		if d := c.Between(from, got); d != time.Duration(minutes)*time.Minute {
			t.Fatalf("Between(%s, Add(+%dm) = %s) = %s", from, minutes, got, d)
		}
		if minutes > 0 && !c.Open(got.Add(-time.Nanosecond)) {
			t.Fatalf("due time %s does not end business time", got)
		}
	})
}
