package people

import "testing"

func TestNormalizeEmail(t *testing.T) {
	cases := map[string]string{
		"Ana@Example.COM":          "ana@example.com",
		"Ana Souza <ana@x.com.br>": "ana@x.com.br",
		" joao@empresa.com.br ":    "joao@empresa.com.br",
		"a@b":                      "",
		"a@-c.co":                  "",
		"a@c-.co":                  "",
		"a@b..co":                  "",
		"@b.co":                    "",
		"not an email":             "",
		"":                         "",
		"דנה@example.co.il":        "דנה@example.co.il",
		"x@münchen.de":             "x@münchen.de",
	}
	for in, want := range cases {
		got, ok := NormalizeEmail(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
