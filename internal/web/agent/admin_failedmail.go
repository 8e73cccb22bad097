package agent

import (
	"errors"
	"fmt"
	"net/http"

	"tessera/internal/channel/email/ingest"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

// Mail in (issue 4): the failed-mail list, where mail that could not be
// parsed or stored waits, raw, for an admin to retry, download or dismiss.

type adminFailedMailPage struct {
	adminBase
	Items []ingest.Failed
	All   bool
}

func (h *Handler) adminFailedMail(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Get("all") == "1"
	items, err := h.Site.App.FailedMail.List(r.Context(), page.ViewerFrom(r.Context()).Actor, all, 200)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/failed_mail", "admin.failed_mail", adminFailedMailPage{adminBase: newAdminBase("failed_mail", nil), Items: items, All: all}, nil)
}

func (h *Handler) adminFailedMailRaw(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	_, data, err := h.Site.App.FailedMail.Raw(r.Context(), page.ViewerFrom(r.Context()).Actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	sendAttachment(w, ticket.Attachment{Filename: fmt.Sprintf("failed-mail-%d.eml", id), ContentType: "message/rfc822", SHA256: fmt.Sprintf("failed-%d", id)}, data)
}

func (h *Handler) adminFailedMailRetry(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	res, err := h.Site.App.FailedMail.Retry(r.Context(), page.ViewerFrom(r.Context()).Actor, id, h.Site.App.MailIngester)
	switch {
	case errors.Is(err, ingest.ErrResolved):
		adminDone(w, r, "admin.failed_mail_resolved", "/admin/failed-mail")
	case err != nil:
		h.Site.Fail(w, r, err)
	case res.Status == ingest.StatusFailed:
		adminDone(w, r, "admin.failed_mail_failed_again", "/admin/failed-mail")
	default:
		adminDone(w, r, "admin.failed_mail_stored", "/admin/failed-mail")
	}
}

func (h *Handler) adminFailedMailDismiss(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	if err := h.Site.App.FailedMail.Dismiss(r.Context(), page.ViewerFrom(r.Context()).Actor, id); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "admin.failed_mail_dismissed", "/admin/failed-mail")
}
