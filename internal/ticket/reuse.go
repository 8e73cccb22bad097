package ticket

import "context"

// What other packages reuse of the ticket rules (macros check their
// actions; knowledge base articles take files under the same limits).

// CheckUpdate reports what Update would refuse in in for any ticket: an
// unknown status or priority, bad tags, an agent or team that cannot be
// assigned. Rules that depend on the ticket itself are checked on Update.
func (s *Service) CheckUpdate(ctx context.Context, in UpdateInput) error {
	return s.checkBulkUpdate(ctx, in)
}

// CheckedFile is an upload that passed the attachment limits: its cleaned
// name, its content type (sniffed when the sender gave none) and the
// SHA-256 its bytes are stored under.
type CheckedFile struct {
	AttachmentInput
	SHA256 string
}

// CheckFiles checks uploads against the limits of a message's attachments.
func (l AttachmentLimits) CheckFiles(in []AttachmentInput) ([]CheckedFile, error) {
	checked, err := l.check(in)
	out := make([]CheckedFile, len(checked))
	for i, c := range checked {
		out[i] = CheckedFile{AttachmentInput: c.AttachmentInput, SHA256: c.sha}
	}
	return out, err
}
