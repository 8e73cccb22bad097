package ticket

import (
	"context"
	"fmt"
	"time"

	"tessera/internal/store"
)

// Delivery is what became of a message mailed to one recipient (the email
// channel records it; see channel/email/outbound): queued, sent, failed
// (refused for good, or given up after the retries) or bounced.
type Delivery struct {
	Recipient string     `json:"recipient"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	Error     string     `json:"error,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// Undelivered reports the deliveries that failed or bounced.
func (m Message) Undelivered() []Delivery {
	var out []Delivery
	for _, d := range m.Delivery {
		if d.Status == "failed" || d.Status == "bounced" {
			out = append(out, d)
		}
	}
	return out
}

// attachDeliveries fills in the deliveries of a thread's messages, for
// the desk (customers do not see them).
func attachDeliveries(ctx context.Context, q store.Querier, ticketID int64, out []Message, idx map[int64]int) error {
	rows, err := q.Query(ctx, `SELECT message_id, recipient, status, attempts, last_error, updated_at, sent_at FROM mail_deliveries
		WHERE ticket_id = $1 AND message_id IS NOT NULL ORDER BY id`, ticketID)
	if err != nil {
		return fmt.Errorf("deliveries of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var mid int64
		var d Delivery
		if err := rows.Scan(&mid, &d.Recipient, &d.Status, &d.Attempts, &d.Error, &d.UpdatedAt, &d.SentAt); err != nil {
			return fmt.Errorf("deliveries of ticket %d: %w", ticketID, err)
		}
		if i, ok := idx[mid]; ok {
			out[i].Delivery = append(out[i].Delivery, d)
		}
	}
	return rows.Err()
}
