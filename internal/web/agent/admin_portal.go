package agent

import (
	"net/http"

	"tessera/internal/portal"
	"tessera/internal/web/page"
)

// The customer portal's settings at /admin/portal, through the same
// portal.Service the JSON API uses (GET/PUT /api/v1/settings/portal).

// portalSettings are the form's checkboxes, in the page's order.
var portalSettings = []string{"allow_priority", "share_organization", "allow_password"}

type adminPortalPage struct {
	adminBase
	Settings []string
}

func (h *Handler) renderPortalSettings(w http.ResponseWriter, r *http.Request, f *adminForm) {
	h.renderAdmin(w, r, "admin/portal", "admin.portal.title", adminPortalPage{adminBase: newAdminBase("portal", f), Settings: portalSettings}, f)
}

func (h *Handler) adminPortal(w http.ResponseWriter, r *http.Request) {
	st, err := h.Site.App.Portal.Show(r.Context(), page.ViewerFrom(r.Context()).Actor)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	f := newAdminForm(nil)
	f.Values.Set("allow_priority", boolValue(st.AllowPriority))
	f.Values.Set("share_organization", boolValue(st.ShareOrganization))
	f.Values.Set("allow_password", boolValue(st.AllowPassword))
	h.renderPortalSettings(w, r, f)
}

// adminPortalUpdate saves every setting: an unticked box is a setting
// turned off. A box sends "1"; any other value is not from our form and
// is refused rather than read as either choice.
func (h *Handler) adminPortalUpdate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	box := func(name string) *bool {
		on := false
		switch v := f.Values[name]; {
		case len(v) == 0:
		case len(v) == 1 && (v[0] == "1" || v[0] == "on" || v[0] == "true"):
			on = true
		case len(v) == 1 && (v[0] == "0" || v[0] == "" || v[0] == "false"):
		default:
			f.add(name, h.Site.I18n.For(page.ViewerFrom(r.Context()).Locale).T("admin.portal.not_a_choice"))
		}
		return &on
	}
	in := portal.Input{AllowPriority: box("allow_priority"), ShareOrganization: box("share_organization"), AllowPassword: box("allow_password")}
	if !f.Invalid() {
		_, err := h.Site.App.Portal.Update(r.Context(), page.ViewerFrom(r.Context()).Actor, in)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/portal") {
			return
		}
	}
	h.renderPortalSettings(w, r, f)
}
