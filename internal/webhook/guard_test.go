package webhook

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	cases := []struct {
		addr           string
		strict, allows bool // permitted without / with the admin setting
	}{
		{"93.184.216.34", true, true},
		{"2606:2800:220:1:248:1893:25c8:1946", true, true},
		{"169.254.169.254", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"fe80::1", false, false},
		{"0.0.0.0", false, false},
		{"224.0.0.1", false, false},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"192.168.0.10", false, true},
		{"172.16.5.4", false, true},
		{"100.64.0.1", false, true},
		{"fd00:ec2::254", false, true},
	}
	for _, c := range cases {
		ip := netip.MustParseAddr(c.addr)
		if got := checkAddr(ip, false) == nil; got != c.strict {
			t.Errorf("%s strict: allowed %v, want %v", c.addr, got, c.strict)
		}
		if got := checkAddr(ip, true) == nil; got != c.allows {
			t.Errorf("%s with private allowed: allowed %v, want %v", c.addr, got, c.allows)
		}
	}
}

func TestControlRefusesAtDialTime(t *testing.T) {
	// A name that resolved to a public address when saved but to the
	// metadata service when called is stopped by the dialer.
	if err := control(true)("tcp", "169.254.169.254:80", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("metadata: %v", err)
	}
	if err := control(false)("tcp", "127.0.0.1:8080", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("loopback: %v", err)
	}
	if err := control(true)("tcp", "127.0.0.1:8080", nil); err != nil {
		t.Errorf("allowed loopback: %v", err)
	}
	if err := checkURL(context.Background(), "http://localhost:9/x", false); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("localhost: %v", err)
	}
}

func FuzzSign(f *testing.F) {
	f.Add("secret", int64(1700000000), []byte(`{"event":"ticket.created"}`))
	f.Fuzz(func(t *testing.T, secret string, ts int64, body []byte) {
		a, b := Sign(secret, ts, body), Sign(secret, ts, body)
		if a != b || len(a) != 64 {
			t.Fatalf("signature %q %q", a, b)
		}
		if len(body) > 0 && Sign(secret, ts, body[1:]) == a {
			t.Fatal("signature ignores the body")
		}
	})
}
