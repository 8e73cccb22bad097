package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldAndTokens(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Não consigo PAGAR!", []string{"nao", "consigo", "pagar"}},
		{"El pago no se procesó — ¿ayuda?", []string{"el", "pago", "no", "se", "proceso", "ayuda"}},
		{"Ünïcödé café crème", []string{"unicode", "cafe", "creme"}},
		{"שָׁלוֹם עולם", []string{"שלום", "עולם"}}, // Hebrew points are marks
		{"order #4521, invoice-77", []string{"order", "4521", "invoice", "77"}},
		{"ﬁle Ｆｕｌｌｗｉｄｔｈ", []string{"file", "fullwidth"}}, // compatibility forms
		{"", nil},
	}
	for _, c := range cases {
		if got := Tokens(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIndexTextHebrewPrefixes(t *testing.T) {
	got := strings.Fields(indexText("בעיה בחשבונית והזמנה"))
	for _, w := range []string{"בעיה", "בחשבונית", "חשבונית", "והזמנה", "הזמנה"} {
		if !slices.Contains(got, w) {
			t.Errorf("index text %q lacks %q", got, w)
		}
	}
	if got := strings.Fields(indexText("abc טל")); !slices.Equal(got, []string{"abc", "טל"}) {
		t.Errorf("short or non-Hebrew words changed: %q", got)
	}
}

func TestQueryRendering(t *testing.T) {
	q := Parse(`Reembolso "pedido" 77; DROP TABLE`)
	if got := q.fts5(true); got != `"reembolso" "pedido" "77" "drop" "table"*` {
		t.Errorf("fts5 = %s", got)
	}
	if got := q.tsquery(true); got != `reembolso & pedido & 77 & drop & table:*` {
		t.Errorf("tsquery = %s", got)
	}
	if got := q.fts5(false); got != `"reembolso" "pedido" "77" "drop" "table"` {
		t.Errorf("exact fts5 = %s", got)
	}
	if got := Parse("não consigo acessar a conta").Words; !slices.Equal(got, []string{"consigo", "acessar", "conta"}) {
		t.Errorf("stop words kept: %q", got)
	}
	if got := Parse("the not").Words; !slices.Equal(got, []string{"the", "not"}) {
		t.Errorf("a query of stop words only lost them: %q", got)
	}
	if got := Parse("problema de").Words; !slices.Equal(got, []string{"problema", "de"}) {
		t.Errorf("the last word, perhaps half typed, was dropped: %q", got)
	}
	if !Parse(" ,.; ").Empty() {
		t.Error("punctuation is not a query")
	}
	if n := len(Parse(strings.Repeat("a ", 40)).Words); n != 12 {
		t.Errorf("words kept = %d, want 12", n)
	}
}

func TestHighlight(t *testing.T) {
	q := Parse("nao fatu")
	got, ok := Highlight("Olá, não consigo pagar a <fatura> de março", q, 0)
	if !ok || got != "Olá, <mark>não</mark> consigo pagar a &lt;<mark>fatura</mark>&gt; de março" {
		t.Errorf("Highlight = %q, %v", got, ok)
	}
	long := strings.Repeat("palavra ", 200) + "fatura final " + strings.Repeat("outra ", 200)
	ex, ok := Highlight(long, q, 10)
	if !ok || !strings.HasPrefix(ex, "…") || !strings.HasSuffix(ex, "…") || !strings.Contains(ex, "<mark>fatura</mark>") || len(ex) > 200 {
		t.Errorf("excerpt = %q", ex)
	}
	if _, ok := Highlight("nothing here", q, 10); ok {
		t.Error("reported a match where there is none")
	}
}

// FuzzQuery checks that any input gives a query whose words are plain
// letters and digits (so the engine syntax cannot be injected) and that
// highlighting never breaks UTF-8.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"nao consigo", `"a" OR b*`, "שלום", "x:*&|!()", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		for _, w := range q.Words {
			if w == "" || strings.ContainsAny(w, `"*:&|!() '`) {
				t.Fatalf("word %q from %q", w, s)
			}
		}
		h, _ := Highlight(s, q, 5)
		if utf8.ValidString(s) && !utf8.ValidString(h) {
			t.Fatalf("highlight of valid text is not UTF-8: %q", h)
		}
	})
}
