package ticket

import (
	"context"
	"errors"
	"fmt"

	"tessera/internal/store"
)

// MessageByMailID finds the message stored for a mail's Message-ID (the
// email channel's dedupe and threading key): its id and its ticket's. ok is
// false when no message carries that id.
func (s *Service) MessageByMailID(ctx context.Context, mailID string) (ticketID, messageID int64, ok bool, err error) {
	if mailID == "" {
		return 0, 0, false, nil
	}
	err = s.DB.Read().QueryRow(ctx, `SELECT ticket_id, id FROM messages WHERE mail_message_id = $1`, mailID).Scan(&ticketID, &messageID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("message by mail id: %w", err)
	}
	return ticketID, messageID, true, nil
}
