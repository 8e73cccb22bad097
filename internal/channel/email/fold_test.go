package email_test

import (
	"strings"
	"testing"

	"tessera/internal/channel/email"
)

func TestFoldText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		folded         bool
	}{
		{"nothing to fold", "Just a question.\nThanks", "Just a question.\nThanks", false},
		{"english one line", "Yes.\n\nOn Mon, 20 Nov 2026, Bob <bob@x.example> wrote:\n> q", "Yes.", true},
		{"english wrapped over three lines", "Yes.\n\nOn Mon, 20 Nov 2026 at 10:00, Bob Example\n<bob@x.example>\nwrote:\n> q", "Yes.", true},
		{"not an attribution", "On the other hand she wrote:\nthat it works.", "On the other hand she wrote:\nthat it works.", false},
		{"portuguese", "Sim.\n\nEm seg., 20 de nov. de 2026 às 10:00, Ana <ana@x.example> escreveu:\n> p", "Sim.", true},
		{"spanish", "Sí.\n\nEl lun, 20 nov 2026 a las 10:00, Ana (<ana@x.example>) escribió:\n> p", "Sí.", true},
		{"spanish without accent", "Sí.\n\nEl 20/11/2026 10:00, Ana escribio:\n> p", "Sí.", true},
		{"hebrew wrote", "כן.\n\nב-20 בנוב׳ 2026, בשעה 10:00, \u200fאנה <ana@x.example> כתב/ה:\n> ש", "כן.", true},
		{"hebrew was written", "כן.\n\nב-20.11.2026 10:00 נכתב:\n> ש", "כן.", true},
		{"hebrew gmail", "כן.\n\n\u202bבתאריך יום ב׳, 20 בנוב׳ 2026 ב-10:00 מאת \u202aאנה\u202c\u200f <\u202aana@x.example\u202c\u200f>:\u202c\n> ש", "כן.", true},
		{"outlook english", "Done.\n\nFrom: Bob <bob@x.example>\nSent: Monday, November 20, 2026 10:00 AM\nTo: Us\nSubject: x\n\nold", "Done.", true},
		{"outlook bold markers", "Done.\n\n*From:* Bob <bob@x.example>\n*Sent:* Monday, November 20, 2026 10:00 AM\n\nold", "Done.", true},
		{"outlook portuguese", "Feito.\n\nDe: Bob <bob@x.example>\nEnviado: segunda-feira, 20 de novembro de 2026 10:00\nPara: Nós\n\nold", "Feito.", true},
		{"outlook spanish", "Hecho.\n\nDe: Bob <bob@x.example>\nEnviado el: lunes, 20 de noviembre de 2026 10:00\nPara: Nosotros\n\nold", "Hecho.", true},
		{"outlook hebrew", "בוצע.\n\nמאת: Bob <bob@x.example>\nנשלח: יום שני 20 נובמבר 2026 10:00\nאל: אנחנו\n\nold", "בוצע.", true},
		{"outlook underline", "Done.\n\n________________________________\nFrom: Bob <bob@x.example>\nSent: Monday\n\nold", "Done.", true},
		{"original message separator", "Done.\n\n-----Original Message-----\nFrom: Bob\nold", "Done.", true},
		{"mensaje original", "Hecho.\n\n-----Mensaje original-----\nDe: Bob\nold", "Hecho.", true},
		{"trailing quote without attribution", "Answer.\n\n> question\n> more", "Answer.", true},
		{"signature delimiter", "Answer.\n\n-- \nBob\nACME", "Answer.", true},
		{"iphone signature", "Answer.\n\nSent from my iPhone", "Answer.", true},
		{"portuguese phone", "Resposta.\n\nEnviado do meu iPhone", "Resposta.", true},
		{"spanish phone", "Respuesta.\n\nEnviado desde mi Android", "Respuesta.", true},
		{"hebrew phone", "תשובה.\n\nנשלח מה-iPhone שלי", "תשובה.", true},
		{"outlook mobile", "Answer.\n\nGet Outlook for Android", "Answer.", true},
		{"only a quote keeps everything", "On Mon, 20 Nov 2026, Bob <bob@x.example> wrote:\n> q", "On Mon, 20 Nov 2026, Bob <bob@x.example> wrote:\n> q", false},
		{"forward is content", "FYI\n\nBegin forwarded message:\n\nFrom: Shop <s@x.example>\nDate: 20 Nov 2026\nSubject: x\n\nbody", "FYI\n\nBegin forwarded message:\n\nFrom: Shop <s@x.example>\nDate: 20 Nov 2026\nSubject: x\n\nbody", false},
		{"crlf", "Yes.\r\n\r\nOn Mon, 20 Nov 2026, Bob <bob@x.example> wrote:\r\n> q\r\n", "Yes.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, folded := email.FoldText(tc.in)
			if got != tc.want || folded != tc.folded {
				t.Errorf("FoldText = %q, %v; want %q, %v", got, folded, tc.want, tc.folded)
			}
		})
	}
}

func TestFoldHTML(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		keep     []string
		drop     []string
		folded   bool
	}{
		{"gmail", `<div dir="ltr">New</div><div class="gmail_quote"><div class="gmail_attr">On ... wrote:</div><blockquote class="gmail_quote">Old</blockquote></div>`, []string{"New"}, []string{"Old", "wrote"}, true},
		{"apple cite", `<div>New</div><blockquote type="cite"><div>Old</div></blockquote>`, []string{"New"}, []string{"Old"}, true},
		{"thunderbird", `<p>New</p><div class="moz-cite-prefix">On 20/11/2026 10:00, Bob wrote:<br></div><blockquote type="cite">Old</blockquote><div class="moz-signature">Bob</div>`, []string{"New"}, []string{"Old", "Bob"}, true},
		{"outlook web", `<div>New</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Bob</div><div>Old</div>`, []string{"New"}, []string{"Old", "From:"}, true},
		{"outlook desktop", `<div class=WordSection1><p>New</p><div><div style="border-top:solid"><p><b>De:</b> Bob<br><b>Enviado el:</b> lunes<br><b>Para:</b> Nos</p></div></div><p>Old</p></div>`, []string{"New"}, []string{"Old", "Enviado"}, true},
		{"attribution in a div", `<div>Sim</div><div>Em seg., 20 de nov. de 2026 às 10:00, Ana &lt;ana@x.example&gt; escreveu:</div><div>&gt; Old</div>`, []string{"Sim"}, []string{"Old"}, true},
		{"gmail signature", `<div>New</div><div class="gmail_signature">Bob | ACME</div>`, []string{"New"}, []string{"ACME"}, true},
		{"phone signature div", `<div>New</div><div>Sent from my iPhone</div>`, []string{"New"}, []string{"iPhone"}, true},
		{"nothing to fold", `<p>Hello <b>there</b></p>`, []string{"Hello <b>there</b>"}, nil, false},
		{"only a quote keeps everything", `<blockquote type="cite">Old</blockquote>`, []string{"Old"}, nil, false},
		{"inline image kept", `<p><img src="cid:a@b"></p><blockquote type="cite">Old</blockquote>`, []string{`cid:a@b`}, []string{"Old"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, folded := email.FoldHTML(tc.in)
			if folded != tc.folded {
				t.Errorf("folded = %v, want %v: %s", folded, tc.folded, got)
			}
			for _, s := range tc.keep {
				if !strings.Contains(got, s) {
					t.Errorf("lost %q: %s", s, got)
				}
			}
			for _, s := range tc.drop {
				if strings.Contains(got, s) {
					t.Errorf("kept %q: %s", s, got)
				}
			}
		})
	}
}
