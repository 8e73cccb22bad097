package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"tessera/internal/mail"
)

// SendMailArgs is one plain-text mail to send. The text is composed (in
// the recipient's language) by whoever enqueues it; the job only sends,
// so a retry sends the same mail. A sign-in link travels in the job's
// arguments: it is short-lived and single-use, and the job table is as
// private as the sessions table beside it.
type SendMailArgs struct {
	To      string `json:"to"`
	Name    string `json:"name,omitempty"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	Link    string `json:"link,omitempty"`
}

// Kind names the job.
func (SendMailArgs) Kind() string { return "send_mail" }

// InsertOpts: a mail is worth a few tries over some minutes, not the
// default ten over days (a sign-in link is dead within the hour).
func (SendMailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// Mailer sends one message; mail.Sender implements it.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// SendMailWorker sends mail.
type SendMailWorker struct {
	river.WorkerDefaults[SendMailArgs]
	Mail Mailer
}

// Work sends the mail. A refusal that retrying cannot fix cancels the job
// rather than knock on the server again.
func (w *SendMailWorker) Work(ctx context.Context, job *river.Job[SendMailArgs]) error {
	a := job.Args
	err := w.Mail.Send(ctx, mail.Message{To: a.To, ToName: a.Name, Subject: a.Subject, Text: a.Text, Link: a.Link})
	if errors.Is(err, mail.ErrPermanent) {
		return river.JobCancel(err)
	}
	if err != nil {
		return fmt.Errorf("send_mail: %w", err)
	}
	return nil
}

// AddMail registers the mail worker.
func AddMail(w *river.Workers, m Mailer) {
	river.AddWorker(w, &SendMailWorker{Mail: m})
}
