package email_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tessera/internal/channel/email"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// att describes an attachment as "filename|content type|kind", with
// "|over" appended when it is recorded but not kept.
func att(a email.Attachment) string {
	s := a.Filename + "|" + a.ContentType + "|" + string(a.Kind)
	if a.OverSize {
		s += "|over"
	}
	return s
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file        string
		subject     string
		from        email.Address
		messageID   string
		inReplyTo   []string
		references  []string
		threadIndex string
		date        string
		text        string // the folded new text, exactly
		fullHas     []string
		htmlHas     []string
		htmlNot     []string
		folded      bool
		attachments []string
		class       email.Class
		bounce      *email.Bounce
		subjectTkt  int64
		addressTkt  int64
		warnings    bool
		noDate      bool
	}{{
		file: "gmail_en.eml", subject: "Re: [#1042] Printer is on fire",
		from:      email.Address{Name: "Maria Silva", Email: "maria.silva@cliente.com.br"},
		messageID: "CAFx8Z3=gmail-en-1@mail.gmail.com", inReplyTo: []string{"reply-1042-1@acme.example"},
		references: []string{"ticket-1042@acme.example", "reply-1042-1@acme.example"},
		date:       "2026-11-21T19:20:11Z",
		text:       "Hi team,\n\nThe printer is still on fire. I tried turning it off and on again.\n\nThanks,\nMaria",
		fullHas:    []string{"Have you tried turning it off and on again?", "Head of Operations"},
		htmlHas:    []string{"The printer is still on fire"},
		htmlNot:    []string{"Have you tried", "gmail_quote", "Head of Operations"},
		folded:     true, subjectTkt: 1042, addressTkt: 1042,
	}, {
		file: "gmail_pt.eml", subject: "Re: Impressora não funciona [#1043]",
		from:      email.Address{Name: "Maria Conceição", Email: "maria@cliente.com.br"},
		messageID: "CAFx8Z3=gmail-pt-1@mail.gmail.com", inReplyTo: []string{"reply-1043-1@acme.example"},
		references: []string{"reply-1043-1@acme.example"},
		text:       "Olá, equipe!\n\nA impressora continua sem funcionar. Já troquei o cartucho e nada.\n\nObrigada,\nMaria",
		htmlHas:    []string{"Já troquei o cartucho"}, htmlNot: []string{"escreveu", "Você já tentou"},
		folded: true, subjectTkt: 1043,
	}, {
		file: "outlook_es.eml", subject: "RE: [#2001] Factura de noviembre – revisión",
		from:        email.Address{Name: "Carlos Pérez", Email: "carlos@empresa.es"},
		threadIndex: "AQHaHJ3jZ1nWz8tE0k2uUvQ6o9x7pA==", inReplyTo: []string{"reply-2001-1@acme.example"},
		messageID: "AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com",
		// Declared ISO-8859-1, written in Windows-1252: the quotes and the
		// euro sign survive.
		text:    "Hola:\n\n¿Podrían revisar la factura? El importe dice “1.200 €” y debería ser 1.000 €.\n\nSaludos,\nCarlos",
		htmlHas: []string{"“1.200 €”"}, htmlNot: []string{"divRplyFwdMsg", "adjuntamos", "Enviado el"},
		folded: true, subjectTkt: 2001,
	}, {
		file: "outlook_en_html_only.eml", subject: "RE: [#3100] VPN disconnects",
		from:        email.Address{Name: "Dana Levi", Email: "dana@corp.example"},
		threadIndex: "AdoceJ3jk1nWz8tE0k2uUvQ6o9x7pB==",
		text:        "Hello,\n\nThe VPN drops every ten minutes since Monday’s update.\n\nRegards,\nDana",
		fullHas:     []string{"which version are you on?"},
		htmlHas:     []string{"Monday’s update"}, htmlNot: []string{"which version", "Sent:"},
		folded: true, subjectTkt: 3100, warnings: true,
	}, {
		file: "apple_he.eml", subject: "Re: המדפסת לא עובדת [#4200]",
		from:    email.Address{Name: "דנה כהן", Email: "dana@example.co.il"},
		text:    "שלום,\n\nהמדפסת עדיין לא עובדת אחרי העדכון.",
		htmlHas: []string{"אחרי העדכון"}, htmlNot: []string{"iPhone", "האם ניסית", "blockquote"},
		folded: true, subjectTkt: 4200,
	}, {
		file: "thunderbird_en.eml", subject: "Re: [#5000] Nightly job fails",
		from:       email.Address{Name: "Tom Baker", Email: "tom@example.org"},
		references: []string{"ticket-5000@acme.example", "reply-5000-1@acme.example"},
		text:       "Hi,\n\nAttached is the log you asked for. The error happens at 09:14 every day.\n\nBest,\nTom",
		htmlHas:    []string{"09:14 every day"}, htmlNot: []string{"Could you send", "Systems, Example Corp", "moz-cite-prefix"},
		folded: true, subjectTkt: 5000,
		attachments: []string{"job.log|text/plain|file"},
	}, {
		file: "gmail_he.eml", subject: "Re: בעיה בהתחברות",
		from: email.Address{Name: "רות לוי", Email: "ruth@example.co.il"},
		text: "שלום,\n\nתודה, זה עבד!", folded: true,
	}, {
		file: "outlook_pt.eml", subject: "RES: [#1044] Pagamento pendente",
		from:        email.Address{Name: "João Souza", Email: "joao@cliente.com.br"},
		threadIndex: "AQHaHJ3jZ1nWz8tE0k2uUvQ6o9x7pC==",
		text:        "Bom dia,\n\nSegue o comprovante do pagamento.\n\nAtenciosamente,\nJoão",
		folded:      true, subjectTkt: 1044,
	}, {
		file: "thunderbird_es_latin1.eml", subject: "Re: [#2002] No puedo entrar",
		from:   email.Address{Name: "Lucía Gómez", Email: "lucia@empresa.es"},
		text:   "Buenos días:\n\nYa funciona, muchas gracias por la ayuda. ¡Excelente atención!",
		folded: true, subjectTkt: 2002,
	}, {
		file: "iso2022jp.eml", subject: "ログインできません",
		from: email.Address{Name: "山田太郎", Email: "yamada@example.jp"},
		date: "2026-11-22T00:00:00Z",
		text: "お世話になっております。\n\nログインできません。パスワードを再設定してください。\n\n山田太郎",
	}, {
		file: "big5.eml", subject: "帳號被鎖住",
		from: email.Address{Name: "陳小明", Email: "chen@example.tw"},
		text: "您好：\n\n我的帳號被鎖住了，請協助解鎖。\n\n陳小明",
	}, {
		file: "bounce_dsn.eml", subject: "Undelivered Mail Returned to Sender",
		from:   email.Address{Name: "Mail Delivery System", Email: "mailer-daemon@mx.acme.example"},
		class:  email.ClassBounce,
		bounce: &email.Bounce{OriginalMessageID: "reply-1042-2@acme.example", Recipients: []string{"nobody@nowhere.example"}, Status: "5.1.1", Diagnostic: "smtp; 550 5.1.1 User unknown"},
		text:   "This is the mail system at host mx.acme.example.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<nobody@nowhere.example>: host mx.nowhere.example said: 550 5.1.1 User unknown",
		// The returned original is kept, as a forwarded message.
		attachments: []string{"[#1042] Printer is on fire.eml|message/rfc822|forwarded"},
	}, {
		file: "ooo_en.eml", subject: "Automatic reply: [#1042] Printer is on fire",
		from:  email.Address{Name: "Pat Doe", Email: "pat@corp.example"},
		class: email.ClassAutoReply, subjectTkt: 1042,
		text: "I am out of the office until December 1st with no access to email.",
	}, {
		file: "ooo_pt_subject.eml", subject: "Resposta automática: [#1045] Acesso",
		from:  email.Address{Name: "Ana", Email: "ana@cliente.com.br"},
		class: email.ClassAutoReply, subjectTkt: 1045, text: "Estou de férias até 1º de dezembro.",
	}, {
		file: "ooo_es_header.eml", subject: "Re: [#2003] Consulta",
		from:  email.Address{Name: "Luis", Email: "luis@empresa.es"},
		class: email.ClassAutoReply, subjectTkt: 2003, text: "Estoy de vacaciones.",
	}, {
		file: "ooo_he_subject.eml", subject: "מחוץ למשרד: Re: [#4202] חשבונית",
		from:  email.Address{Email: "noa@example.co.il"},
		class: email.ClassAutoReply, subjectTkt: 4202, text: "אני בחופשה עד יום ראשון.",
	}, {
		file: "malformed_boundary.eml", subject: "Broken MIME",
		from: email.Address{Email: "broken@example.net"},
		text: "The attachment below is cut off.", warnings: true,
		attachments: []string{"report.pdf|application/pdf|file"},
	}, {
		file: "attachments.eml", subject: "Screenshots, invoice, invite",
		from:    email.Address{Name: "Kim", Email: "kim@example.com"},
		text:    "See the screenshot: [image: shot.png]",
		htmlHas: []string{`src="cid:shot@example.com"`},
		attachments: []string{
			"fatura nº 7.pdf|application/pdf|file",
			"big.zip|application/zip|file|over",
			"winmail.dat|application/ms-tnef|tnef",
			"Your quote.eml|message/rfc822|forwarded",
			"invite.ics|text/calendar|calendar",
			"shot.png|image/png|inline",
		},
	}, {
		file: "forward_gmail.eml", subject: "Fwd: Order 7781 never arrived",
		from: email.Address{Name: "Maria Silva", Email: "maria.silva@cliente.com.br"},
		// A forward is what the customer sends us: nothing is folded.
		text: "Can you look into this one?\n\n---------- Forwarded message ---------\nFrom: Shop <orders@shop.example>\nDate: Mon, Nov 20, 2026 at 9:00 AM\nSubject: Order 7781 never arrived\nTo: <maria.silva@cliente.com.br>\n\nYour order 7781 has shipped.",
	}, {
		file: "inline_quotes.eml", subject: "Re: [#2004] Preguntas",
		from: email.Address{Name: "Pedro", Email: "pedro@empresa.es"},
		// Answers between quotes stay; the phone signature and the
		// trailing quote go.
		text:   "> ¿Qué versión usa?\nLa 4.2.\n\n> ¿En qué sistema?\nWindows 11.",
		folded: true, subjectTkt: 2004,
	}, {
		file: "html_only_script.eml", subject: "Where is my refund?",
		from: email.Address{Name: "Newsletter Person", Email: "news@shop.example"},
		// The new text comes from the folded HTML; the HTML is folded but
		// not sanitised (the script and the pixel are the sanitiser's).
		text:    "I returned the shoes on *November 2* and I am still waiting for my refund.",
		fullHas: []string{"Your return was received."},
		htmlHas: []string{"<b>November 2</b>"}, htmlNot: []string{"gmail_quote", "Your return"},
		folded: true, warnings: true,
	}, {
		file: "outlook_he.eml", subject: "תשובה: [#4203] חשבונית",
		from:        email.Address{Name: "נועה ברק", Email: "noa@example.co.il"},
		threadIndex: "AQHaHJ3jZ1nWz8tE0k2uUvQ6o9x7pD==",
		// Windows-1255 text, "מאת: / נשלח:" block.
		text:    "שלום,\n\nהחשבונית מצורפת שוב.\n\nתודה,\nנועה",
		htmlNot: []string{"divRplyFwdMsg", "לא קיבלנו"},
		folded:  true, subjectTkt: 4203,
	}, {
		file: "yahoo_unknown_charset.eml", subject: "Re: [#6000] Account",
		from: email.Address{Name: "Bo", Email: "bo@yahoo.example"},
		text: "Thanks, all good now.", htmlNot: []string{"yahoo_quoted", "Is it working"},
		folded: true, subjectTkt: 6000, warnings: true,
	}, {
		file: "nested_forward.eml", subject: "Fwd: Fwd: Order 7781",
		from: email.Address{Name: "Joao", Email: "joao@cliente.example"},
		text: "Forwarding what Maria sent me.",
		// The forward is kept whole, its own forward inside it.
		attachments: []string{"Fwd_ Order 7781.eml|message/rfc822|forwarded"},
	}, {
		file: "sender_only_long_header.eml", subject: "Disk almost full on db-01",
		from: email.Address{Name: "Robot", Email: "robot@monitor.example"},
		text: "Disk /var is 95% full.", noDate: true,
	}}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m, err := email.Parse(read(t, tc.file), email.Options{MaxAttachmentBytes: 2000, Inboxes: []string{"support@acme.example"}})
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", m.Subject, tc.subject)
			}
			if m.From != tc.from {
				t.Errorf("from = %+v, want %+v", m.From, tc.from)
			}
			if tc.messageID != "" && m.MessageID != tc.messageID {
				t.Errorf("message id = %q, want %q", m.MessageID, tc.messageID)
			}
			if m.MessageID == "" {
				t.Error("no message id")
			}
			if tc.inReplyTo != nil && !slices.Equal(m.InReplyTo, tc.inReplyTo) {
				t.Errorf("in-reply-to = %q, want %q", m.InReplyTo, tc.inReplyTo)
			}
			if tc.references != nil && !slices.Equal(m.References, tc.references) {
				t.Errorf("references = %q, want %q", m.References, tc.references)
			}
			if m.ThreadIndex != tc.threadIndex {
				t.Errorf("thread-index = %q, want %q", m.ThreadIndex, tc.threadIndex)
			}
			if m.Date.IsZero() != tc.noDate {
				t.Errorf("date = %s", m.Date)
			}
			if tc.date != "" && m.Date.Format(time.RFC3339) != tc.date {
				t.Errorf("date = %s, want %s", m.Date.Format(time.RFC3339), tc.date)
			}
			if m.NewText != tc.text {
				t.Errorf("text =\n%q\nwant\n%q", m.NewText, tc.text)
			}
			if m.Folded != tc.folded {
				t.Errorf("folded = %v, want %v", m.Folded, tc.folded)
			}
			for _, s := range tc.fullHas {
				if !strings.Contains(m.Text, s) {
					t.Errorf("full text lacks %q", s)
				}
			}
			for _, s := range tc.htmlHas {
				if !strings.Contains(m.NewHTML, s) {
					t.Errorf("new html lacks %q:\n%s", s, m.NewHTML)
				}
			}
			for _, s := range tc.htmlNot {
				if strings.Contains(m.NewHTML, s) {
					t.Errorf("new html still has %q:\n%s", s, m.NewHTML)
				}
			}
			var got []string
			for _, a := range m.Attachments {
				got = append(got, att(a))
				if a.OverSize != (a.Data == nil) {
					t.Errorf("%s: over-size %v with %d bytes kept", a.Filename, a.OverSize, len(a.Data))
				}
				if !a.OverSize && len(a.Data) != a.Size {
					t.Errorf("%s: size %d, data %d", a.Filename, a.Size, len(a.Data))
				}
			}
			if !slices.Equal(got, tc.attachments) {
				t.Errorf("attachments =\n%q\nwant\n%q", got, tc.attachments)
			}
			if m.Class != tc.class {
				t.Errorf("class = %q, want %q", m.Class, tc.class)
			}
			switch {
			case tc.bounce == nil && m.Bounce != nil:
				t.Errorf("bounce = %+v", m.Bounce)
			case tc.bounce != nil && (m.Bounce == nil || m.Bounce.OriginalMessageID != tc.bounce.OriginalMessageID ||
				!slices.Equal(m.Bounce.Recipients, tc.bounce.Recipients) || m.Bounce.Status != tc.bounce.Status || m.Bounce.Diagnostic != tc.bounce.Diagnostic):
				t.Errorf("bounce = %+v, want %+v", m.Bounce, tc.bounce)
			}
			if m.SubjectTicket != tc.subjectTkt || m.AddressTicket != tc.addressTkt {
				t.Errorf("ticket refs = %d (subject), %d (address), want %d, %d", m.SubjectTicket, m.AddressTicket, tc.subjectTkt, tc.addressTkt)
			}
			if (len(m.Warnings) > 0) != tc.warnings {
				t.Errorf("warnings = %q", m.Warnings)
			}
		})
	}
}

func TestParseAddressesAndCc(t *testing.T) {
	m, err := email.Parse(read(t, "gmail_en.eml"), email.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.To) != 1 || m.To[0].Email != "support+1042@acme.example" || len(m.Cc) != 1 || m.Cc[0] != (email.Address{Name: "Joao Souza", Email: "joao@cliente.com.br"}) {
		t.Errorf("to = %+v, cc = %+v", m.To, m.Cc)
	}
}

func TestParseErrors(t *testing.T) {
	// The caller keeps the raw bytes in each of these cases.
	if _, err := email.Parse(read(t, "not_a_mail.txt"), email.Options{}); !errors.Is(err, email.ErrNoHeader) {
		t.Errorf("not a mail: err = %v", err)
	}
	if _, err := email.Parse(nil, email.Options{}); !errors.Is(err, email.ErrNoHeader) {
		t.Errorf("empty: err = %v", err)
	}
	if _, err := email.Parse(read(t, "gmail_en.eml"), email.Options{MaxMessageBytes: 100}); !errors.Is(err, email.ErrTooLarge) {
		t.Errorf("too large: err = %v", err)
	}
}

func TestParseMboxFromLineAndMissingHeaders(t *testing.T) {
	raw := "From maria@cliente.com.br Tue Nov 21 14:00:00 2026\nFrom: maria@cliente.com.br\n\nNo subject, no date, no id.\n"
	m, err := email.Parse([]byte(raw), email.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Email != "maria@cliente.com.br" || m.Subject != "" || !m.Date.IsZero() || m.MessageID != "" || m.NewText != "No subject, no date, no id." {
		t.Errorf("got %+v", m)
	}
}

func TestParseEmptyTextAlternative(t *testing.T) {
	raw := "From: a@b.example\nSubject: x\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n\n--b\nContent-Type: text/html\n\n<p>Real words.</p><blockquote type=\"cite\">Old</blockquote>\n--b--\n"
	m, err := email.Parse([]byte(raw), email.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.NewText != "Real words." || !strings.Contains(m.Text, "Old") || !m.Folded {
		t.Errorf("text %q, full %q, folded %v", m.NewText, m.Text, m.Folded)
	}
}

func TestParseBrokenAddressSalvaged(t *testing.T) {
	raw := "From: Maria Silva maria@cliente.com.br\nTo: support@acme.example, <broken\nSubject: x\n\nbody\n"
	m, err := email.Parse([]byte(raw), email.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.To) != 1 || m.To[0].Email != "support@acme.example" {
		t.Errorf("to = %+v", m.To)
	}
	if len(m.Warnings) == 0 {
		t.Error("no warning for a broken address list")
	}
}

func TestTicketReferences(t *testing.T) {
	for subject, want := range map[string]int64{
		"Re: [#1042] Printer": 1042, "RES: Pagamento [#7]": 7, "Re: #1042 no brackets": 0, "[#] empty": 0,
		"[#99999999999999999999] overflow": 0, "Fwd: [#12][#13]": 12,
	} {
		if got := email.SubjectTicket(subject); got != want {
			t.Errorf("SubjectTicket(%q) = %d, want %d", subject, got, want)
		}
	}
	for addr, want := range map[string]int64{
		"support+1042@acme.example": 1042, "Support+7@Acme.Example": 7, "support@acme.example": 0,
		"support+news@acme.example": 0, "support+0@acme.example": 0, "support+-3@acme.example": 0, "nobody": 0,
	} {
		if got, _ := email.PlusTicket(addr); got != want {
			t.Errorf("PlusTicket(%q) = %d, want %d", addr, got, want)
		}
	}
	// A customer's own plus-address is not a ticket reference.
	raw := "From: a@b.example\nTo: john+42@gmail.example, support@acme.example\nSubject: x\n\nbody\n"
	m, err := email.Parse([]byte(raw), email.Options{Inboxes: []string{"support@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if m.AddressTicket != 0 {
		t.Errorf("address ticket = %d", m.AddressTicket)
	}
	raw = "From: a@b.example\nTo: someone@acme.example\nDelivered-To: support+42@acme.example\nSubject: x\n\nbody\n"
	if m, _ = email.Parse([]byte(raw), email.Options{Inboxes: []string{"support@acme.example"}}); m.AddressTicket != 42 {
		t.Errorf("address ticket from Delivered-To = %d", m.AddressTicket)
	}
}

func TestClassification(t *testing.T) {
	base := "From: x@y.example\nTo: support@acme.example\nMessage-ID: <c@y.example>\n"
	for _, tc := range []struct {
		head string
		want email.Class
	}{
		{"Subject: Help\nAuto-Submitted: no\n", email.ClassNormal},
		{"Subject: Help\nAuto-Submitted: auto-generated\n", email.ClassAutoReply},
		{"Subject: Help\nX-Autorespond: yes\n", email.ClassAutoReply},
		{"Subject: Help\nPrecedence: junk\n", email.ClassAutoReply},
		{"Subject: Help\nPrecedence: auto_reply\n", email.ClassAutoReply},
		{"Subject: Out of Office: Help\n", email.ClassAutoReply},
		{"Subject: Respuesta automática: Help\n", email.ClassAutoReply},
		{"Subject: =?utf-8?B?16rXqdeV15HXlCDXkNeV15jXldee15jXmdeqOiBIZWxw?=\n", email.ClassAutoReply}, // תשובה אוטומטית: Help
		{"Subject: My out of office replies are broken\n", email.ClassNormal},
	} {
		m, err := email.Parse([]byte(base+tc.head+"\nbody\n"), email.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Class != tc.want {
			t.Errorf("%q: class = %q, want %q", tc.head, m.Class, tc.want)
		}
	}
	// A postmaster's mail is a bounce even without a report.
	m, err := email.Parse([]byte("From: postmaster@mx.example\nTo: support@acme.example\nX-Failed-Recipients: gone@x.example\nSubject: failure\n\nMessage-ID: <reply-9@acme.example>\nSubject: hi\n"), email.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Class != email.ClassBounce || m.Bounce.OriginalMessageID != "reply-9@acme.example" || !slices.Equal(m.Bounce.Recipients, []string{"gone@x.example"}) {
		t.Errorf("class %q, bounce %+v", m.Class, m.Bounce)
	}
}
