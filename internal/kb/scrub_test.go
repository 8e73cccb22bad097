package kb_test

import (
	"strings"
	"testing"

	"tessera/internal/kb"
)

func TestScrub(t *testing.T) {
	in := "Olá, sou Maria Souza (maria.souza@example.com.br), CPF 123.456.789-00, tel. +55 (11) 98765-4321, pedido 4451234. Veja https://x.test/reset?token=abc. Obrigada, maria"
	got := kb.Scrub(in, []string{"Maria Souza", "Ana"})
	for _, leak := range []string{"Maria", "maria", "Souza", "example.com", "98765", "4451234", "token", "789"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q left in %q", leak, got)
		}
	}
	if !strings.Contains(got, "Olá, sou [name] [name]") || !strings.Contains(got, "Obrigada, [name]") {
		t.Errorf("scrubbed: %q", got)
	}
	if kb.Scrub("Banana and Ana", []string{"Ana"}) != "Banana and [name]" {
		t.Errorf("a name inside a word was replaced: %q", kb.Scrub("Banana and Ana", []string{"Ana"}))
	}
	title, body := kb.FromConversation("Reembolso para Maria", "Quero reembolso. Maria", "Abra Pedidos, Maria.", []string{"Maria"})
	if title != "Reembolso para [name]" || !strings.Contains(body, "## Question") || !strings.Contains(body, "Abra Pedidos, [name].") {
		t.Errorf("draft: %q %q", title, body)
	}
}
