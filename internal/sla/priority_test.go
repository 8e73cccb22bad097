package sla

import "testing"

func TestDecidePriority(t *testing.T) {
	acme := int64(4)
	rules := []PriorityRule{
		{ID: 1, Name: "Outage words", Position: 10, Active: true, Priority: "urgent",
			Keywords: []string{"outage", "site down", "fora do ar", "não funciona", "caído", "caida", "urgente", "דחוף", "לא עובד"}},
		{ID: 2, Name: "VIP", Position: 20, Active: true, Priority: "high", Tiers: []string{"vip"}},
		{ID: 3, Name: "Acme by phone", Position: 5, Active: true, Priority: "high", OrganizationIDs: []int64{acme}, Channels: []string{"phone"}},
		{ID: 4, Name: "Disabled", Position: 0, Active: false, Priority: "low"},
		{ID: 5, Name: "Billing questions", Position: 30, Active: true, Priority: "low", Keywords: []string{"nota fiscal", "factura", "invoice copy"}},
	}
	cases := []struct {
		name string
		t    NewTicket
		want int64
	}{
		{"english phrase", NewTicket{Subject: "Our SITE is down!!", Body: "help"}, 0},
		{"english phrase in order", NewTicket{Subject: "Site down since 9am"}, 1},
		{"portuguese without accents", NewTicket{Subject: "Sistema fora do ar", Body: "o app nao funciona"}, 1},
		{"portuguese with accents", NewTicket{Body: "O login NÃO FUNCIONA desde ontem"}, 1},
		{"spanish", NewTicket{Subject: "Servicio caído en producción"}, 1},
		{"spanish feminine without accent", NewTicket{Subject: "La página está caída"}, 1},
		{"hebrew", NewTicket{Subject: "דחוף: המערכת לא עובדת"}, 1},
		{"hebrew phrase", NewTicket{Body: "האפליקציה לא עובד מאז הבוקר"}, 1},
		{"a word inside another does not match", NewTicket{Subject: "Urgentemente preciso de ajuda"}, 0},
		{"vip", NewTicket{Subject: "Question", Tier: "vip"}, 2},
		{"org and channel", NewTicket{Subject: "Call", OrganizationID: &acme, Channel: "phone"}, 3},
		{"org by mail", NewTicket{Subject: "Mail", OrganizationID: &acme, Channel: "email"}, 0},
		{"low priority words", NewTicket{Subject: "Segunda via da nota fiscal"}, 5},
		{"nothing", NewTicket{Subject: "Hello", Body: "How do I change my avatar?"}, 0},
	}
	for _, c := range cases {
		r, ok := DecidePriority(rules, c.t)
		if c.want == 0 {
			if ok {
				t.Errorf("%s: rule %d (%s) matched, want none", c.name, r.ID, r.Name)
			}
			continue
		}
		if !ok || r.ID != c.want {
			t.Errorf("%s: got rule %d (%v), want %d", c.name, r.ID, ok, c.want)
		}
	}
}
