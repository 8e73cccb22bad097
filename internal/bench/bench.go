// Package bench fills databases at scale and measures the API under load.
// (Being written; see the bench task.)
package bench

import (
	"context"
	"fmt"
	"io"
)

// Command runs "tessera bench SUB".
func Command(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	return fmt.Errorf("bench %s: not built yet", sub)
}
