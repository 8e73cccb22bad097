package email

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/dsn"
)

// outOfOffice are how out-of-office and automatic replies start their
// subjects in English, Portuguese, Spanish and Hebrew, for the mail
// servers that send them without any of the headers. A prefix, not a
// substring: a customer may well write about "out of office" replies.
var outOfOffice = []string{
	"auto:", "autoreply", "auto-reply", "auto reply", "automatic reply", "auto response", "autoresponse", "auto-response",
	"out of office", "out of the office", "ooo:",
	"resposta automática", "resposta automatica", "fora do escritório", "fora do escritorio", "ausência", "ausencia", "ausente:",
	"respuesta automática", "respuesta automatica", "fuera de la oficina", "fuera de oficina", "mensaje automático",
	"מענה אוטומטי", "תשובה אוטומטית", "מחוץ למשרד", "לא נמצא במשרד", "הודעה אוטומטית",
}

func isOutOfOffice(subject string) bool {
	s := strings.ToLower(strings.TrimSpace(stripBidi(subject)))
	for _, p := range outOfOffice {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// classify marks auto-replies and bounces, and reads what a bounce says.
func classify(env *enmime.Envelope, m *Message) {
	if isBounce(env, m) {
		m.Class = ClassBounce
		m.Bounce = readBounce(env)
		return
	}
	if isAutoReply(env, m.Subject) {
		m.Class = ClassAutoReply
	}
}

func isAutoReply(env *enmime.Envelope, subject string) bool {
	if v := strings.ToLower(strings.TrimSpace(env.GetHeader("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	if env.GetHeader("X-Autoreply") != "" || env.GetHeader("X-Autorespond") != "" || env.GetHeader("X-Autoresponder") != "" {
		return true
	}
	if strings.EqualFold(env.GetHeader("X-Auto-Response-Suppress"), "All") && env.GetHeader("X-MS-Exchange-Inbox-Rules-Loop") != "" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(env.GetHeader("Precedence"))) {
	case "bulk", "junk", "auto_reply":
		return true
	}
	return isOutOfOffice(subject)
}

func isBounce(env *enmime.Envelope, m *Message) bool {
	ct := strings.ToLower(env.Root.ContentType)
	if ct == "multipart/report" && strings.EqualFold(env.Root.ContentTypeParams["report-type"], "delivery-status") {
		return true
	}
	local, _, _ := strings.Cut(m.From.Email, "@")
	switch local {
	case "mailer-daemon", "postmaster":
		return true
	}
	// An empty Return-Path (<>) is what MTAs put on notifications.
	return strings.TrimSpace(env.GetHeader("Return-Path")) == "<>" && env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "message/delivery-status" || p.ContentType == "message/rfc822" || p.ContentType == "text/rfc822-headers"
	}) != nil
}

func readBounce(env *enmime.Envelope) *Bounce {
	b := &Bounce{}
	if rep, err := dsn.ParseReport(env.Root); err == nil && rep != nil {
		for _, r := range rep.DeliveryStatus.RecipientDSNs {
			if !dsn.IsFailed(r) {
				continue
			}
			if rcpt := dsnAddress(r.Get("Final-Recipient"), r.Get("Original-Recipient")); rcpt != "" {
				b.Recipients = append(b.Recipients, rcpt)
			}
			if b.Status == "" {
				b.Status = strings.TrimSpace(r.Get("Status"))
				b.Diagnostic = oneLine(r.Get("Diagnostic-Code"))
			}
		}
		if len(rep.OriginalMessage) > 0 {
			if h, err := enmime.DecodeHeaders(rep.OriginalMessage, "Message-Id"); err == nil {
				b.OriginalMessageID = firstID(h.Get("Message-Id"))
			}
		}
	}
	// Non-standard bounces (and reports whose parts the DSN reader did not
	// take): look into any attached original or its headers.
	if b.OriginalMessageID == "" {
		env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
			if p.ContentType != "message/rfc822" && p.ContentType != "text/rfc822-headers" {
				return false
			}
			if h, err := enmime.DecodeHeaders(p.Content, "Message-Id"); err == nil {
				b.OriginalMessageID = firstID(h.Get("Message-Id"))
			}
			return b.OriginalMessageID != ""
		})
	}
	if b.OriginalMessageID == "" {
		// Plain-text bounces quote the original headers in the body.
		for _, line := range strings.Split(env.Text, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if ok && strings.EqualFold(strings.TrimSpace(k), "message-id") {
				if b.OriginalMessageID = firstID(v); b.OriginalMessageID != "" {
					break
				}
			}
		}
	}
	if len(b.Recipients) == 0 {
		if v := env.GetHeader("X-Failed-Recipients"); v != "" {
			for _, r := range strings.Split(v, ",") {
				if r = strings.ToLower(strings.TrimSpace(r)); r != "" {
					b.Recipients = append(b.Recipients, r)
				}
			}
		}
	}
	return b
}

// dsnAddress reads "rfc822; someone@example.com".
func dsnAddress(final, original string) string {
	for _, v := range []string{final, original} {
		if _, addr, ok := strings.Cut(v, ";"); ok {
			v = addr
		}
		if v = strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>")); v != "" {
			return v
		}
	}
	return ""
}

var subjectTicket = regexp.MustCompile(`\[#(\d{1,18})\]`)

// SubjectTicket is the ticket number a subject carries as "[#1042]", or 0.
func SubjectTicket(subject string) int64 {
	sm := subjectTicket.FindStringSubmatch(subject)
	if sm == nil {
		return 0
	}
	n, err := strconv.ParseInt(sm[1], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// PlusTicket is the ticket number of a plus-address ("support+1042@..."),
// and the address without it; 0 when the tag is not a number.
func PlusTicket(addr string) (int64, string) {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	if !ok {
		return 0, addr
	}
	base, tag, ok := strings.Cut(local, "+")
	if !ok || tag == "" || len(tag) > 18 {
		return 0, addr
	}
	n, err := strconv.ParseInt(tag, 10, 64)
	if err != nil || n <= 0 {
		return 0, addr
	}
	return n, base + "@" + domain
}

func addressTicket(rcpts []Address, delivered []string, inboxes []string) int64 {
	ours := func(base string) bool {
		if len(inboxes) == 0 {
			return true
		}
		for _, in := range inboxes {
			if strings.EqualFold(strings.TrimSpace(in), base) {
				return true
			}
		}
		return false
	}
	cands := make([]string, 0, len(rcpts)+len(delivered))
	for _, a := range rcpts {
		cands = append(cands, a.Email)
	}
	for _, d := range delivered {
		cands = append(cands, strings.Trim(strings.TrimSpace(d), "<>"))
	}
	for _, c := range cands {
		if n, base := PlusTicket(c); n > 0 && ours(base) {
			return n
		}
	}
	return 0
}
