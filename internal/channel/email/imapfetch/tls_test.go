package imapfetch_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"tessera/internal/app/apptest"
	"tessera/internal/channel/email/imapfetch"
	"tessera/internal/inbox"
	"tessera/internal/store"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "imap.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"imap.test"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestFetchOverTLS reads over implicit TLS and STARTTLS, refuses a
// certificate it does not trust, and reports a wrong password as such.
func TestFetchOverTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, pass)
	_ = u.Create("INBOX", nil)
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		Caps:      imap.CapSet{imap.CapIMAP4rev1: {}},
		Logger:    log.New(io.Discard, "", 0), // the refused handshake is the point
	})
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	implicit, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(plain) }()
	go func() { _ = srv.Serve(implicit) }()
	t.Cleanup(func() { _ = srv.Close() })
	raw := mail(1)
	if _, err := u.Append("INBOX", literal{bytes.NewReader([]byte(raw)), int64(len(raw))}, &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}

	f := apptest.New(t, store.SQLite)
	g, err := f.MailIngester(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	kind, name, addr := inbox.KindEmail, "TLS", "support@acme.example"
	b, err := f.Inboxes.Create(context.Background(), f.Admin, inbox.Input{Kind: &kind, Name: &name, Address: &addr})
	if err != nil {
		t.Fatal(err)
	}
	port := func(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }
	for _, tc := range []struct {
		name     string
		security string
		port     int
		roots    *x509.CertPool
		password string
		wantErr  string
		want     int
	}{
		{name: "tls", security: inbox.SecurityTLS, port: port(implicit), roots: pool, password: pass, want: 1},
		// The same folder again, the other way in: nothing new past the cursor.
		{name: "starttls", security: inbox.SecuritySTARTTLS, port: port(plain), roots: pool, password: pass, want: 0},
		{name: "untrusted", security: inbox.SecurityTLS, port: port(implicit), roots: x509.NewCertPool(), password: pass, wantErr: "certificate"},
		{name: "wrong password", security: inbox.SecurityTLS, port: port(implicit), roots: pool, password: "nope", wantErr: "log in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := &imapfetch.Fetcher{InboxID: b.ID, Store: f.IMAP, Ingester: g,
				Settings:  inbox.IMAPSettings{Host: "127.0.0.1", Port: tc.port, Security: tc.security, Username: user, Password: tc.password, Folder: "INBOX", After: inbox.AfterSeen},
				TLSConfig: &tls.Config{RootCAs: tc.roots, ServerName: "127.0.0.1"}}
			n, err := fe.Once(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want one about %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || n != tc.want {
				t.Errorf("fetched %d, %v; want %d", n, err, tc.want)
			}
		})
	}
}
