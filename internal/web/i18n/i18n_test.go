package i18n

import (
	"testing"
	"testing/fstest"
)

func TestCatalogsComplete(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for loc, miss := range b.Missing() {
		t.Errorf("%s: %v", loc, miss)
	}
}

func TestPlurals(t *testing.T) {
	b := MustLoad()
	cases := []struct {
		loc  string
		n    int
		want string
	}{
		{"en", 1, "1 minute ago"},
		{"en", 0, "0 minutes ago"},
		{"en", 5, "5 minutes ago"},
		{"pt-BR", 0, "há 0 minuto"}, // CLDR: Portuguese counts 0 and 1 as "one"
		{"pt-BR", 1, "há 1 minuto"},
		{"pt-BR", 2, "há 2 minutos"},
		{"es", 1, "hace 1 minuto"},
		{"es", 3, "hace 3 minutos"},
		{"he", 1, "לפני דקה"},
		{"he", 7, "לפני 7 דקות"},
	}
	for _, c := range cases {
		if got := b.For(c.loc).T("time.minutes_ago", c.n); got != c.want {
			t.Errorf("%s %d: got %q, want %q", c.loc, c.n, got, c.want)
		}
	}
	if got := b.For("he").T("time.hours_ago", 2); got != "לפני שעתיים" {
		t.Errorf("Hebrew dual: got %q", got)
	}
}

func TestUnknownKeyShowsItself(t *testing.T) {
	if got := MustLoad().For("es").T("no.such.key"); got != "no.such.key" {
		t.Errorf("got %q", got)
	}
}

func TestFallbackToEnglish(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog/en/a.json":    {Data: []byte(`{"only.en": "Only English", "both": "Both"}`)},
		"catalog/pt-BR/a.json": {Data: []byte(`{"both": "Ambos"}`)},
		"catalog/es/a.json":    {Data: []byte(`{}`)},
		"catalog/he/a.json":    {Data: []byte(`{}`)},
	}
	b, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.For("pt-BR").T("only.en"); got != "Only English" {
		t.Errorf("fallback: got %q", got)
	}
	if got := b.For("pt-BR").T("both"); got != "Ambos" {
		t.Errorf("got %q", got)
	}
	if m := b.Missing(); len(m["pt-BR"]) != 1 || m["pt-BR"][0] != "missing only.en" {
		t.Errorf("missing: %v", m)
	}
}

func TestBadCatalogs(t *testing.T) {
	for name, data := range map[string]string{
		"not json":     `{`,
		"no other":     `{"k": {"one": "x"}}`,
		"unknown form": `{"k": {"one": "x", "other": "y", "lots": "z"}}`,
		"number value": `{"k": 3}`,
	} {
		fsys := fstest.MapFS{
			"catalog/en/a.json":    {Data: []byte(data)},
			"catalog/pt-BR/a.json": {Data: []byte(`{}`)}, "catalog/es/a.json": {Data: []byte(`{}`)}, "catalog/he/a.json": {Data: []byte(`{}`)},
		}
		if _, err := load(fsys); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}

func TestNegotiate(t *testing.T) {
	cases := map[string]string{
		"":                           "en",
		"pt-BR,pt;q=0.9,en;q=0.8":    "pt-BR",
		"pt-PT":                      "pt-BR",
		"es-MX,es;q=0.9":             "es",
		"he-IL,he;q=0.9,en-US;q=0.8": "he",
		"fr-FR,fr;q=0.9":             "en",
		"de;q=0.9,es;q=0.5":          "es",
		"garbage;;;":                 "en",
	}
	for in, want := range cases {
		if got := Negotiate(in); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSupported(t *testing.T) {
	cases := map[string]string{"pt-br": "pt-BR", "pt": "pt-BR", "he": "he", "iw": "he", "EN": "en", "fr": "", "": "", "es-419": "es", "x": ""}
	for in, want := range cases {
		if got := Supported(in); got != want {
			t.Errorf("Supported(%q) = %q, want %q", in, got, want)
		}
	}
	if Dir("he") != "rtl" || Dir("es") != "ltr" {
		t.Error("direction")
	}
}
