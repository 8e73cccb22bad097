package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress refuses a destination webhooks may not call.
var ErrForbiddenAddress = errors.New("forbidden address")

// cgnat is shared address space (RFC 6598), private in all but name.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// checkAddr decides whether a webhook may connect to ip. Link-local
// addresses (169.254.0.0/16 holds the clouds' metadata services, fe80::/10)
// and unspecified or multicast ones are refused always; loopback and
// private networks only when the admin allows them (a receiver on the same
// host or network), since an outside party who can add a webhook should
// not be able to reach the desk's own network through it.
func checkAddr(ip netip.Addr, allowPrivate bool) error {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return fmt.Errorf("%w: %s is link-local, multicast or unspecified", ErrForbiddenAddress, ip)
	case ip.IsLoopback() || ip.IsPrivate() || cgnat.Contains(ip):
		if !allowPrivate {
			return fmt.Errorf("%w: %s is a loopback or private address (an admin may allow those)", ErrForbiddenAddress, ip)
		}
	}
	return nil
}

// control checks the address a connection is about to be made to, after
// name resolution: a name that resolves differently at delivery time than
// when the webhook was saved is still caught.
func control(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
		}
		return checkAddr(ip, allowPrivate)
	}
}

// checkURL validates a webhook's URL when it is saved: http or https, a
// host, no credentials in it, and (as far as it resolves now) no forbidden
// address. The dialer checks again at every delivery.
func checkURL(ctx context.Context, raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an http or https URL")
	}
	if u.User != nil {
		return errors.New("must not carry a user name or password; sign with the secret instead")
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return checkAddr(ip, allowPrivate)
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return checkAddr(netip.MustParseAddr("127.0.0.1"), allowPrivate)
	}
	rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(rctx, "ip", host)
	if err != nil {
		return nil // may resolve later; the dialer decides then
	}
	for _, ip := range ips {
		if err := checkAddr(ip, allowPrivate); err != nil {
			return err
		}
	}
	return nil
}
