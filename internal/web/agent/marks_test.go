package agent

import "testing"

func TestMarked(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a <mark>word</mark> here", "a <mark>word</mark> here"},
		{"&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>", "&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"<mark onclick=x>a</mark>", "&lt;mark onclick=x&gt;a"},
		{"<mark>open", "<mark>open</mark>"},
		{"</mark>stray<mark><mark>x</mark></mark>", "stray<mark>x</mark>"},
		{"Tom &amp; Jerry", "Tom &amp; Jerry"},
		{"&#34;quoted&#34;", "&#34;quoted&#34;"},
		{"<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"},
	} {
		if got := string(marked(c.in)); got != c.want {
			t.Errorf("marked(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
