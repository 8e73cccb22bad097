// Command benchexplain prints the query plans of the list view (page 1 and
// page 50, keyset) and of a search on a seeded database: "tessera bench
// explain" until the tessera command routes that subcommand.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"tessera/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := bench.Command(ctx, "explain", os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchexplain:", err)
		os.Exit(1)
	}
}
