// Command tessera is the Tessera help desk: one binary with subcommands.
// This file parses flags and wires packages together; it holds no logic.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/bench"
	"tessera/internal/config"
	"tessera/internal/demo"
	"tessera/internal/mail"
	"tessera/internal/people"
	"tessera/internal/ticket"
	"tessera/internal/web"
	"tessera/internal/web/api"
)

const usage = `Usage: tessera COMMAND [flags]

Commands:
  serve                 run the HTTP server and the background workers
  migrate               apply database migrations
  demo                  load the demo data set (teams, agents, contacts, 2,000 tickets)
  agent create          create an agent: --email E --name N --role admin|agent|light --password-stdin
  agent list            list agents
  token create          print a new API token for an agent: --email E
  bench seed            fill a database with N realistic tickets: --tickets N
  bench load            measure the HTTP API under load: --url URL --token T
  bench explain         show the query plans of the list and search queries
  mail import FILE...   store .eml and mbox files as email tickets and replies (one JSON line per message)
  report rebuild        recompute the reports' summary tables from the ticket events

Every command reads the database from --database-url or TESSERA_DATABASE_URL
(sqlite://FILE, sqlite:///ABS/FILE or postgres://...). Run "tessera COMMAND -h"
for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tessera:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return usageError("no command given")
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "agent" || cmd == "token" || cmd == "bench" || cmd == "mail" || cmd == "report") && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "demo":
		return loadDemo(ctx, rest, stdout, stderr)
	case "agent create":
		return agentCreate(ctx, rest, stdin, stdout, stderr)
	case "agent list":
		return agentList(ctx, rest, stdout, stderr)
	case "token create":
		return tokenCreate(ctx, rest, stdout, stderr)
	case "mail import":
		return mailImport(ctx, rest, stdout, stderr)
	case "report rebuild":
		return reportRebuild(ctx, rest, stdout, stderr)
	case "bench seed", "bench load", "bench explain":
		return bench.Command(ctx, strings.TrimPrefix(cmd, "bench "), rest, stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}

func newLogger(c *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parse parses a command's flags and settings.
func parse(name string, args []string, serve bool, stderr io.Writer, extra func(fs *flag.FlagSet)) (*config.Config, error) {
	fs := flag.NewFlagSet("tessera "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.Bind(fs, serve)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return nil, usageError(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	return b.Config()
}

func open(ctx context.Context, c *config.Config, log *slog.Logger, migrate, work bool) (*app.App, error) {
	return app.Open(ctx, app.Options{DatabaseURL: c.DatabaseURL, Migrate: migrate, Work: work, Log: log,
		CloseSolvedAfter: c.CloseSolvedAfter,
		Limits:           ticket.AttachmentLimits{MaxFileBytes: int64(max(c.MaxUploadMB, 1)) << 20},
		Mail:             mail.Config{URL: c.SMTPURL, From: c.MailFrom},
		PublicURL:        publicURL(c)})
}

// publicURL is --public-url, or else the address the server listens on.
func publicURL(c *config.Config) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || c.Addr == "" {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse("serve", args, true, stderr, nil)
	if err != nil {
		return helpOK(err)
	}
	log := newLogger(c, stderr)
	slog.SetDefault(log)
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		// A soft limit: the collector works harder near it rather than let
		// short-lived garbage (search highlighting) push the heap up.
		// GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(64 << 20)
	}
	a, err := open(ctx, c, log, !c.NoMigrate, true)
	if err != nil {
		return err
	}
	defer a.Close()
	apiServer := &api.Server{App: a, Log: log, MaxBodyBytes: int64(c.MaxUploadMB)<<20*2 + 1<<20}
	if c.RateLimitToken > 0 || c.RateLimitAddr > 0 {
		apiServer.Limits = &api.Limiter{PerToken: rate.Limit(c.RateLimitToken), TokenBurst: max(c.RateLimitTokenBurst, 1),
			PerAddress: rate.Limit(c.RateLimitAddr), AddrBurst: max(c.RateLimitAddrBurst, 1), TrustProxy: c.TrustProxy}
	}
	srv, err := web.New(a, apiServer, log)
	if err != nil {
		return err
	}
	// The live-event hub runs until shutdown begins; ending it ends the
	// browsers' event streams, which would otherwise hold Shutdown open.
	liveCtx, stopLive := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLive()
	go func() {
		if err := a.Live.Run(liveCtx); err != nil {
			log.Error("live events", "err", err)
		}
	}()
	// Mail in (issue 4): every email inbox with an IMAP account is fetched
	// until shutdown.
	mailCtx, stopMail := context.WithCancel(ctx)
	mailDone := make(chan struct{})
	go func() { a.MailIn.Run(mailCtx); close(mailDone) }()
	defer func() { stopMail(); <-mailDone }()
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if c.DebugAddr != "" {
		// The profiler gets its own loopback listener, never the public one.
		dbg := http.NewServeMux()
		dbg.HandleFunc("/debug/pprof/", pprof.Index)
		dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
		dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)
		dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		go func() {
			if err := http.ListenAndServe(c.DebugAddr, dbg); err != nil {
				log.Error("debug listener", "err", err)
			}
		}()
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "engine", a.DB.Engine)
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	var queueStarted atomic.Bool
	startJobs := func() error {
		if err := a.Queue.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start jobs: %w", err)
		}
		queueStarted.Store(true)
		srv.SetReady(true)
		return nil
	}
	if c.Demo {
		// The server answers (healthz, the home page) while the demo loads;
		// the background jobs start, and the server reports ready, once the
		// data is in: closing solved tickets meanwhile would race the
		// loader's own replay of history.
		go func() {
			if err := demoIfEmpty(ctx, a, stdout); err != nil {
				errc <- err
				return
			}
			if err := startJobs(); err != nil {
				errc <- err
				return
			}
			fmt.Fprintf(stdout, "Tessera is ready: the agent workspace at http://%[1]s/ (sign in with a login above), the customer portal at http://%[1]s/help\n", ln.Addr())
		}()
	} else if err := startJobs(); err != nil {
		return err
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			shutdownErr := hs.Shutdown(context.Background())
			return errors.Join(fmt.Errorf("serve: %w", err), shutdownErr)
		}
		return nil
	case <-ctx.Done():
	}
	// Graceful shutdown: report not-ready, stop accepting, let requests in
	// flight finish, then let running jobs finish.
	srv.SetReady(false)
	stopLive()
	log.Info("shutting down", "timeout", c.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
	}
	if queueStarted.Load() {
		if err := a.Queue.Stop(sctx); err != nil {
			log.Error("stop jobs", "err", err)
		}
	}
	log.Info("stopped")
	return nil
}

// withApp opens (and migrates) the database for a one-off command, runs
// fn, and closes it.
func withApp(ctx context.Context, c *config.Config, stderr io.Writer, fn func(a *app.App) error) error {
	a, err := open(ctx, c, newLogger(c, stderr), true, false)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func helpOK(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse("migrate", args, false, stderr, nil)
	if err != nil {
		return helpOK(err)
	}
	return withApp(ctx, c, stderr, func(a *app.App) error {
		fmt.Fprintf(stdout, "migrated %s database\n", a.DB.Engine)
		return nil
	})
}

func demoIfEmpty(ctx context.Context, a *app.App, stdout io.Writer) error {
	empty, err := demo.Empty(ctx, a)
	if err != nil {
		return err
	}
	if empty {
		fmt.Fprintln(stdout, "Loading the demo data (first start)...")
		res, err := demo.Load(ctx, a, demo.Options{})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		printLogins(stdout, res)
		return nil
	}
	if broken, err := demo.Interrupted(ctx, a); err == nil && broken {
		fmt.Fprintln(stdout, "The demo data was interrupted while loading and is incomplete; remove the database file to load it afresh.")
	}
	res, err := demo.Logins(ctx, a)
	if err == nil && len(res.Logins) > 0 {
		printLogins(stdout, res)
		fmt.Fprintln(stdout, "(An API token is printed on the first start only; create another with: tessera token create --email EMAIL)")
	}
	return nil
}

func printLogins(w io.Writer, res *demo.Result) {
	fmt.Fprintln(w, "Demo logins (email / password / role):")
	for _, l := range res.Logins {
		fmt.Fprintf(w, "  %-32s %-16s %s\n", l.Email, l.Password, l.Role)
	}
	if res.Token != "" {
		fmt.Fprintf(w, "Demo API token for %s: %s\n", res.Logins[0].Email, res.Token)
	}
}

func loadDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var seed int64
	c, err := parse("demo", args, false, stderr, func(fs *flag.FlagSet) {
		fs.Int64Var(&seed, "seed", 1, "random seed (the same seed gives the same data)")
	})
	if err != nil {
		return helpOK(err)
	}
	return withApp(ctx, c, stderr, func(a *app.App) error {
		empty, err := demo.Empty(ctx, a)
		if err != nil {
			return err
		}
		if !empty {
			return errors.New("the database already has tickets; the demo loads into an empty one")
		}
		res, err := demo.Load(ctx, a, demo.Options{Seed: seed})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Loaded %d tickets, %d contacts, %d organizations, %d agents, %d teams.\n", res.Tickets, res.Contacts, res.Organizations, len(res.Logins), res.Teams)
		printLogins(stdout, res)
		return nil
	})
}

func agentCreate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var email, name, role string
	var pwStdin bool
	c, err := parse("agent create", args, false, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the agent's email address (required)")
		fs.StringVar(&name, "name", "", "the agent's name (required)")
		fs.StringVar(&role, "role", "agent", "admin, agent or light")
		fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	})
	if err != nil {
		return helpOK(err)
	}
	if email == "" || name == "" {
		return usageError("--email and --name are required")
	}
	in := people.AgentInput{Email: &email, Name: &name, Role: &role}
	if pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		in.Password = &pw
	}
	return withApp(ctx, c, stderr, func(a *app.App) error {
		ag, err := a.People.CreateAgent(ctx, auth.System, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s agent %s <%s> (id %d)\n", ag.Role, ag.Name, ag.Email, ag.ID)
		return nil
	})
}

func agentList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse("agent list", args, false, stderr, nil)
	if err != nil {
		return helpOK(err)
	}
	return withApp(ctx, c, stderr, func(a *app.App) error {
		agents, err := a.People.ListAgents(ctx)
		if err != nil {
			return err
		}
		for _, ag := range agents {
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", ag.ID, ag.Email, ag.Role, ag.Name)
		}
		return nil
	})
}

// reportRebuild fills the reports' summary tables from the event log (after
// upgrading a database that has tickets, or to repair them); reports read
// the events until it finishes.
func reportRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var resume, rollups bool
	c, err := parse("report rebuild", args, false, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&resume, "resume", false, "keep the tickets already filed (an interrupted rebuild's)")
		fs.BoolVar(&rollups, "rollups", false, "only sum the filed tickets into the rollups again (after an upgrade that adds rollups)")
	})
	if err != nil {
		return helpOK(err)
	}
	return withApp(ctx, c, stderr, func(a *app.App) error {
		start := time.Now()
		if rollups {
			if err := a.Reports.RefillRollups(ctx); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "report rollups refilled in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		}
		var shown time.Time
		err := a.Reports.Rebuild(ctx, resume, func(done, last int64) {
			if time.Since(shown) > 10*time.Second || done == last {
				shown = time.Now()
				fmt.Fprintf(stdout, "  tickets up to %d of %d filed (%s)\n", done, last, time.Since(start).Round(time.Second))
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "report summary rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	})
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var email, name string
	c, err := parse("token create", args, false, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the agent the token acts as (required)")
		fs.StringVar(&name, "name", "cli", "a label for the token")
	})
	if err != nil {
		return helpOK(err)
	}
	if email == "" {
		return usageError("--email is required")
	}
	return withApp(ctx, c, stderr, func(a *app.App) error {
		ag, err := a.People.AgentByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("agent %s: %w", email, err)
		}
		tok, err := a.People.CreateToken(ctx, auth.System, ag.ID, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
		return nil
	})
}
