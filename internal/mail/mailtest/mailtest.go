// Package mailtest is an SMTP server in the test's own process, on
// 127.0.0.1, that keeps what it receives: the sender's tests talk real
// SMTP to it.
package mailtest

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one mail the sink accepted.
type Received struct {
	From string
	To   []string
	Data string
	User string // who authenticated, if anyone did
}

// Sink is a running SMTP server.
type Sink struct {
	Addr string
	// User and Password, when set, are required (PLAIN, without TLS).
	User, Password string
	// Refuse lists recipients refused with 550.
	Refuse []string
	// TempFail answers the first TempFail recipients with 451 (try again
	// later), as a greylisting or overloaded server does.
	TempFail int

	mu  sync.Mutex
	got []Received
}

// Start runs a sink until the test ends.
func Start(t testing.TB, configure ...func(*Sink)) *Sink {
	t.Helper()
	s := &Sink{}
	for _, c := range configure {
		c(s)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = quiet{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp sink: %v", err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Host and Port of the sink.
func (s *Sink) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Port of the sink.
func (s *Sink) Port() string { _, p, _ := net.SplitHostPort(s.Addr); return p }

// Messages returns what has been received so far.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// SetTempFail makes the next n recipients get a 451 (see TempFail).
func (s *Sink) SetTempFail(n int) {
	s.mu.Lock()
	s.TempFail = n
	s.mu.Unlock()
}

// Wait waits until n mails have arrived or the timeout passes.
func (s *Sink) Wait(n int, timeout time.Duration) []Received {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s.Messages()
}

type session struct {
	sink *Sink
	cur  Received
	user string
}

func (ss *session) AuthMechanisms() []string {
	if ss.sink.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.sink.User || pass != ss.sink.Password {
			return errors.New("invalid credentials")
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.User != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.cur = Received{From: from, User: ss.user}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range ss.sink.Refuse {
		if strings.EqualFold(r, to) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
	}
	ss.sink.mu.Lock()
	defer ss.sink.mu.Unlock()
	if ss.sink.TempFail > 0 {
		ss.sink.TempFail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Data = string(b)
	ss.sink.mu.Lock()
	ss.sink.got = append(ss.sink.got, ss.cur)
	ss.sink.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.cur = Received{User: ss.user} }
func (ss *session) Logout() error { return nil }

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}
