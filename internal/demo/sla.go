package demo

import (
	"context"
	"fmt"
	"slices"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
)

func dur(s string) clocks.Duration {
	d, err := clocks.ParseDuration(s)
	if err != nil {
		panic(err) // the demo's own constants
	}
	return clocks.Duration(d)
}

// createSLA sets up three business-hours calendars (São Paulo Monday to
// Friday, Jerusalem Sunday to Thursday, Madrid with a lunch break) and two
// SLA policies, before any ticket exists, so every demo ticket carries its
// clocks: VIP customers get clock-hour promises, everyone else business
// hours on the São Paulo calendar.
func createSLA(ctx context.Context, a *app.App) error {
	existing, err := a.SLA.Calendars(ctx)
	if err != nil {
		return fmt.Errorf("demo calendars: %w", err)
	}
	weekdays := func(days []string, ivs ...[]string) map[string][][]string {
		m := map[string][][]string{}
		for _, d := range days {
			m[d] = ivs
		}
		return m
	}
	monFri := []string{"mon", "tue", "wed", "thu", "fri"}
	cals := []clocks.CalendarInput{
		{Name: "Brasil (São Paulo)", TimeZone: "America/Sao_Paulo", Hours: weekdays(monFri, []string{"09:00", "18:00"}),
			Holidays: []clocks.Holiday{{Month: 1, Day: 1, Name: "Confraternização Universal"}, {Month: 4, Day: 21, Name: "Tiradentes"},
				{Month: 9, Day: 7, Name: "Independência"}, {Month: 11, Day: 15, Name: "Proclamação da República"}, {Month: 12, Day: 25, Name: "Natal"}}},
		{Name: "ישראל (Jerusalem)", TimeZone: "Asia/Jerusalem", Hours: weekdays([]string{"sun", "mon", "tue", "wed", "thu"}, []string{"08:00", "17:00"})},
		{Name: "España (Madrid)", TimeZone: "Europe/Madrid", Hours: weekdays(monFri, []string{"09:00", "14:00"}, []string{"15:00", "18:00"}),
			Holidays: []clocks.Holiday{{Month: 1, Day: 6, Name: "Reyes"}, {Month: 10, Day: 12, Name: "Fiesta Nacional"}, {Month: 12, Day: 25, Name: "Navidad"}}},
	}
	var brasil int64
	for i, in := range cals {
		idx := slices.IndexFunc(existing, func(c clocks.Calendar) bool { return c.Name == in.Name })
		var id int64
		if idx >= 0 {
			id = existing[idx].ID
		} else {
			c, err := a.SLA.CreateCalendar(ctx, auth.System, in)
			if err != nil {
				return fmt.Errorf("demo calendar %s: %w", in.Name, err)
			}
			id = c.ID
		}
		if i == 0 {
			brasil = id
		}
	}
	pols, err := a.SLA.Policies(ctx)
	if err != nil {
		return fmt.Errorf("demo policies: %w", err)
	}
	warn := dur("30m")
	for _, in := range []clocks.PolicyInput{
		{Name: "VIP customers", Position: 10, Conditions: sla.Conditions{Tiers: []string{"vip"}}, WarnBefore: &warn,
			Targets: clocks.Targets{
				"urgent": {sla.FirstReply: dur("30m"), sla.NextReply: dur("1h"), sla.Resolution: dur("4h")},
				"high":   {sla.FirstReply: dur("1h"), sla.NextReply: dur("2h"), sla.Resolution: dur("8h")},
				"normal": {sla.FirstReply: dur("2h"), sla.NextReply: dur("4h"), sla.Resolution: dur("1d")},
				"low":    {sla.FirstReply: dur("4h"), sla.NextReply: dur("8h"), sla.Resolution: dur("2d")},
			}},
		{Name: "Standard", Position: 20, CalendarID: &brasil, BusinessHours: true, WarnBefore: &warn,
			Targets: clocks.Targets{
				"urgent": {sla.FirstReply: dur("1h"), sla.NextReply: dur("2h"), sla.Resolution: dur("8h")},
				"high":   {sla.FirstReply: dur("2h"), sla.NextReply: dur("4h"), sla.Resolution: dur("2d")},
				"normal": {sla.FirstReply: dur("4h"), sla.NextReply: dur("8h"), sla.Resolution: dur("3d")},
				"low":    {sla.FirstReply: dur("8h"), sla.NextReply: dur("1d"), sla.Resolution: dur("5d")},
			}},
	} {
		if slices.ContainsFunc(pols, func(p clocks.Policy) bool { return p.Name == in.Name }) {
			continue
		}
		if _, err := a.SLA.CreatePolicy(ctx, auth.System, in); err != nil {
			return fmt.Errorf("demo policy %s: %w", in.Name, err)
		}
	}
	return nil
}
