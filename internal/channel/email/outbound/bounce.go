package outbound

import (
	"context"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"tessera/internal/store"
)

// Bounces marks deliveries that came back.
type Bounces struct {
	DB *store.DB
}

// MarkBounced marks the deliveries of our mail mailID as bounced, with the
// report's diagnostic: those to the failed recipients the report names, or
// when it names none we sent to, the mail's only delivery. It returns how
// many it marked (0: the mail is not ours, or the report is too vague).
func (b *Bounces) MarkBounced(ctx context.Context, mailID string, recipients []string, diagnostic string) (int, error) {
	mailID = strings.Trim(strings.TrimSpace(mailID), "<>")
	if mailID == "" {
		return 0, nil
	}
	if diagnostic == "" {
		diagnostic = "the receiving server returned the mail"
	}
	var n int
	err := b.DB.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, recipient FROM mail_deliveries WHERE mail_message_id = $1 AND status <> 'bounced'`, mailID)
		if err != nil {
			return fmt.Errorf("deliveries of %s: %w", mailID, err)
		}
		var all, hit []int64
		for rows.Next() {
			var id int64
			var rcpt string
			if err := rows.Scan(&id, &rcpt); err != nil {
				rows.Close()
				return fmt.Errorf("deliveries of %s: %w", mailID, err)
			}
			all = append(all, id)
			for _, r := range recipients {
				if strings.EqualFold(strings.TrimSpace(r), rcpt) {
					hit = append(hit, id)
					break
				}
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("deliveries of %s: %w", mailID, err)
		}
		if len(hit) == 0 && len(all) == 1 {
			hit = all
		}
		for _, id := range hit {
			if _, err := tx.Exec(ctx, `UPDATE mail_deliveries SET status = 'bounced', last_error = $2, updated_at = $3 WHERE id = $1`,
				id, diagnostic, store.Now()); err != nil {
				return fmt.Errorf("mark delivery %d bounced: %w", id, err)
			}
		}
		n = len(hit)
		return nil
	})
	return n, err
}

// AddWorkers registers the delivery worker.
func AddWorkers(w *river.Workers, dw *DeliverWorker) {
	river.AddWorker(w, dw)
}
