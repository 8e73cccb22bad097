package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tessera/internal/mail"
	"tessera/internal/mail/mailtest"
)

func TestSendThroughSMTP(t *testing.T) {
	sink := mailtest.Start(t)
	s, err := mail.New(mail.Config{URL: "smtp://" + sink.Addr, From: "Acme Support <help@acme.example>"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Configured() {
		t.Fatal("not configured")
	}
	err = s.Send(context.Background(), mail.Message{To: "maria@cliente.com.br", ToName: `Maria "Mari" Silva`,
		Subject: "Seu link de acesso à Central", Text: "Olá, Maria!\n\nEntre: http://localhost/help/login/tsl_x\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("received %d mails", len(got))
	}
	m := got[0]
	if m.From != "help@acme.example" || len(m.To) != 1 || m.To[0] != "maria@cliente.com.br" {
		t.Errorf("envelope = %q → %v", m.From, m.To)
	}
	for _, want := range []string{"Subject: =?UTF-8?", "Auto-Submitted: auto-generated", "Message-ID: <", "Date: ", "text/plain", `To: "Maria \"Mari\" Silva" <maria@cliente.com.br>`} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("mail lacks %q:\n%s", want, m.Data)
		}
	}
}

func TestSendWithPassword(t *testing.T) {
	sink := mailtest.Start(t, func(s *mailtest.Sink) { s.User, s.Password = "tessera", "s3cret" })
	// A password without TLS must be asked for: by default a password
	// makes STARTTLS required, and the sink offers none.
	s, err := mail.New(mail.Config{URL: "smtp://tessera:s3cret@" + sink.Addr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("a password was sent without TLS")
	}
	s, err = mail.New(mail.Config{URL: "smtp://tessera:s3cret@" + sink.Addr + "?tls=none"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err != nil {
		t.Fatal(err)
	}
	if got := sink.Wait(1, 5*time.Second); len(got) != 1 || got[0].User != "tessera" {
		t.Fatalf("received %+v", got)
	}
	s, _ = mail.New(mail.Config{URL: "smtp://tessera:wrong@" + sink.Addr + "?tls=none"}, nil)
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err == nil {
		t.Error("a wrong password was accepted")
	}
}

func TestPermanentRefusal(t *testing.T) {
	sink := mailtest.Start(t, func(s *mailtest.Sink) { s.Refuse = []string{"nobody@example.com"} })
	s, err := mail.New(mail.Config{URL: "smtp://" + sink.Addr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: "nobody@example.com", Subject: "x", Text: "y"})
	if !errors.Is(err, mail.ErrPermanent) {
		t.Errorf("refused recipient: %v, want ErrPermanent", err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "not an address", Subject: "x", Text: "y"}); !errors.Is(err, mail.ErrPermanent) {
		t.Errorf("bad address: %v, want ErrPermanent", err)
	}
}

func TestNoServerLogs(t *testing.T) {
	var buf bytes.Buffer
	s, err := mail.New(mail.Config{}, slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Configured() {
		t.Fatal("configured without a URL")
	}
	_ = s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "Your sign-in link", Text: "secret text", Link: "http://localhost/help/login/tsl_abc"})
	_ = s.Send(context.Background(), mail.Message{To: "b@example.com", Subject: "Other", Text: "other text"})
	out := buf.String()
	for _, want := range []string{"level=WARN", `msg="mail not sent: no SMTP server configured"`, "to=a@example.com", `subject="Your sign-in link"`, "link=http://localhost/help/login/tsl_abc", "to=b@example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret text") || strings.Count(out, "link=") != 1 {
		t.Errorf("log shows a body, or a link that is not a sign-in link:\n%s", out)
	}
}

func TestBadConfig(t *testing.T) {
	for _, c := range []mail.Config{
		{URL: "imap://mail.example.com"},
		{URL: "smtp://"},
		{URL: "smtp://mail.example.com:99999"},
		{URL: "smtp://mail.example.com?tls=maybe"},
		{URL: "smtps://mail.example.com?tls=none"},
		{From: "not an address"},
	} {
		if _, err := mail.New(c, nil); err == nil {
			t.Errorf("%+v accepted", c)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	if _, err := mail.New(mail.Config{URL: "smtp://u:s3cret@mail.example.com?tls=maybe"}, nil); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad URL with password: %v", err)
	}
}
