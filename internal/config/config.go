// Package config reads Tessera's settings from command-line flags and
// TESSERA_* environment variables (a flag wins over its variable). The
// table in Settings is the one the README documents.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting.
type Config struct {
	Addr                string
	DatabaseURL         string
	LogLevel            string
	LogFormat           string
	RateLimitToken      float64
	RateLimitTokenBurst int
	RateLimitAddr       float64
	RateLimitAddrBurst  int
	TrustProxy          bool
	MaxUploadMB         int
	CloseSolvedAfter    time.Duration
	ShutdownTimeout     time.Duration
	NoMigrate           bool
	Demo                bool
	SMTPURL             string
	MailFrom            string
	PublicURL           string
	DebugAddr           string
}

// Setting describes one setting: flag, variable, default, meaning.
type Setting struct {
	Flag, Env, Default, Usage string
	ServeOnly                 bool
}

// Settings lists every setting in the order the README shows them.
func Settings() []Setting {
	return []Setting{
		{Flag: "database-url", Env: "TESSERA_DATABASE_URL", Default: "sqlite://tessera.db", Usage: "database: sqlite://FILE, sqlite:///ABS/FILE or postgres://USER@HOST:PORT/DB"},
		{Flag: "addr", Env: "TESSERA_ADDR", Default: "localhost:8080", Usage: "HOST:PORT to listen on", ServeOnly: true},
		{Flag: "log-level", Env: "TESSERA_LOG_LEVEL", Default: "info", Usage: "debug, info, warn or error"},
		{Flag: "log-format", Env: "TESSERA_LOG_FORMAT", Default: "text", Usage: "text or json"},
		{Flag: "rate-limit-token", Env: "TESSERA_RATE_LIMIT_TOKEN", Default: "50", Usage: "API requests per second per token (0: no limit)", ServeOnly: true},
		{Flag: "rate-limit-token-burst", Env: "TESSERA_RATE_LIMIT_TOKEN_BURST", Default: "100", Usage: "requests a token may send at once above the rate", ServeOnly: true},
		{Flag: "rate-limit-address", Env: "TESSERA_RATE_LIMIT_ADDRESS", Default: "100", Usage: "API requests per second per client address (0: no limit)", ServeOnly: true},
		{Flag: "rate-limit-address-burst", Env: "TESSERA_RATE_LIMIT_ADDRESS_BURST", Default: "200", Usage: "requests an address may send at once above the rate", ServeOnly: true},
		{Flag: "trust-proxy", Env: "TESSERA_TRUST_PROXY", Default: "false", Usage: "take the client address from X-Forwarded-For (behind a reverse proxy only)", ServeOnly: true},
		{Flag: "max-upload-mb", Env: "TESSERA_MAX_UPLOAD_MB", Default: "25", Usage: "largest attachment accepted, in MiB", ServeOnly: true},
		{Flag: "close-solved-after", Env: "TESSERA_CLOSE_SOLVED_AFTER", Default: "96h", Usage: "close solved tickets after this long", ServeOnly: true},
		{Flag: "shutdown-timeout", Env: "TESSERA_SHUTDOWN_TIMEOUT", Default: "30s", Usage: "how long a shutdown waits for requests in flight", ServeOnly: true},
		{Flag: "no-migrate", Env: "TESSERA_NO_MIGRATE", Default: "false", Usage: "do not apply migrations on start", ServeOnly: true},
		{Flag: "demo", Env: "TESSERA_DEMO", Default: "false", Usage: "load the demo data on start if the database has no tickets", ServeOnly: true},
		{Flag: "smtp-url", Env: "TESSERA_SMTP_URL", Default: "", Usage: "outbound mail server: smtp://USER:PASS@HOST:PORT (STARTTLS) or smtps://... (TLS); empty: mail is logged, not sent", ServeOnly: true},
		{Flag: "mail-from", Env: "TESSERA_MAIL_FROM", Default: "tessera@localhost", Usage: "sender address of outbound mail, e.g. \"Acme Support <help@acme.example>\"", ServeOnly: true},
		{Flag: "debug-addr", Env: "TESSERA_DEBUG_ADDR", Default: "", Usage: "loopback HOST:PORT for Go's profiler (/debug/pprof/); empty: off", ServeOnly: true},
		{Flag: "public-url", Env: "TESSERA_PUBLIC_URL", Default: "", Usage: "the address people reach the server at, for links in mail (default: http:// and --addr)", ServeOnly: true},
	}
}

// value is a flag kept as text until Config converts it; boolean settings
// are boolean flags, so --demo works without =true.
type value struct {
	s      string
	isBool bool
}

func (v *value) String() string {
	if v == nil {
		return ""
	}
	return v.s
}
func (v *value) Set(s string) error { v.s = s; return nil }
func (v *value) IsBoolFlag() bool   { return v.isBool }

// Binding holds the flags of one command until they are parsed.
type Binding struct {
	raw map[string]*string
}

// Bind registers the settings on fs: all of them for serve, the database
// and logging ones for other commands. Call Config after fs.Parse.
func Bind(fs *flag.FlagSet, serve bool) *Binding {
	b := &Binding{raw: map[string]*string{}}
	for _, s := range Settings() {
		if s.ServeOnly && !serve {
			continue
		}
		def := s.Default
		if v, ok := os.LookupEnv(s.Env); ok {
			def = v
		}
		v := &value{s: def, isBool: s.Default == "false" || s.Default == "true"}
		fs.Var(v, s.Flag, s.Usage+" ("+s.Env+")")
		b.raw[s.Flag] = &v.s
	}
	return b
}

// Config converts the parsed strings to typed settings.
func (b *Binding) Config() (*Config, error) {
	c := &Config{}
	get := func(name string) (string, bool) {
		if p, ok := b.raw[name]; ok {
			return *p, true
		}
		for _, s := range Settings() {
			if s.Flag == name {
				return s.Default, true
			}
		}
		return "", false
	}
	var errs []string
	parseF := func(name string) float64 {
		v, _ := get(name)
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a non-negative number", name, v))
		}
		return f
	}
	parseI := func(name string) int {
		v, _ := get(name)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a non-negative integer", name, v))
		}
		return n
	}
	parseB := func(name string) bool {
		v, _ := get(name)
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("--%s: %q is not true or false", name, v))
		}
		return b
	}
	parseD := func(name string) time.Duration {
		v, _ := get(name)
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a duration such as 30s or 96h", name, v))
		}
		return d
	}
	c.DatabaseURL, _ = get("database-url")
	c.Addr, _ = get("addr")
	c.LogLevel, _ = get("log-level")
	c.LogFormat, _ = get("log-format")
	c.RateLimitToken = parseF("rate-limit-token")
	c.RateLimitTokenBurst = parseI("rate-limit-token-burst")
	c.RateLimitAddr = parseF("rate-limit-address")
	c.RateLimitAddrBurst = parseI("rate-limit-address-burst")
	c.TrustProxy = parseB("trust-proxy")
	c.MaxUploadMB = parseI("max-upload-mb")
	c.CloseSolvedAfter = parseD("close-solved-after")
	c.ShutdownTimeout = parseD("shutdown-timeout")
	c.NoMigrate = parseB("no-migrate")
	c.Demo = parseB("demo")
	c.SMTPURL, _ = get("smtp-url")
	c.MailFrom, _ = get("mail-from")
	c.PublicURL, _ = get("public-url")
	c.DebugAddr, _ = get("debug-addr")
	if c.DebugAddr != "" {
		host, _, err := net.SplitHostPort(c.DebugAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			errs = append(errs, "--debug-addr: must be a loopback address such as 127.0.0.1:6060 (the profiler must not be public)")
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			errs = append(errs, "--smtp-url: must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
		}
	}
	if c.MailFrom == "" {
		errs = append(errs, "--mail-from: must not be empty")
	} else if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		errs = append(errs, fmt.Sprintf("--mail-from: %q is not an address", c.MailFrom))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("--public-url: %q is not an http:// or https:// address", c.PublicURL))
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("--log-level: %q is not debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Sprintf("--log-format: %q is not text or json", c.LogFormat))
	}
	if c.MaxUploadMB == 0 {
		errs = append(errs, "--max-upload-mb: must be at least 1")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}
