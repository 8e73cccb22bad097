// Ticket lists: j/k move a selection, Enter opens it; live events refresh
// the list and the sidebar counts in place.
"use strict";
(function (T) {
  let sel = -1;
  const rows = () => T.$$("tr[data-row]");
  function select(i) {
    const rs = rows();
    if (!rs.length) return;
    sel = Math.max(0, Math.min(rs.length - 1, i));
    rs.forEach((r, j) => r.classList.toggle("selected", j === sel));
    rs[sel].scrollIntoView({ block: "nearest" });
  }
  T.on("key", (ev) => {
    if (!rows().length) return;
    if (ev.key === "j") { select(sel + 1); ev.preventDefault(); }
    else if (ev.key === "k") { select(sel - 1); ev.preventDefault(); }
    else if (ev.key === "Enter" && sel >= 0) {
      const a = rows()[sel].querySelector("a[href]");
      if (a) { location.href = a.href; ev.preventDefault(); }
    }
  });
  T.on("swap", () => { if (sel >= 0) select(sel); T.rel(); });
  T.on("load", () => {
    if (!document.body.classList.contains("agent")) return;
    T.live(T.$("[data-ticket-id]") ? "?ticket=" + T.$("[data-ticket-id]").dataset.ticketId : "");
  });
  T.on("ticket", () => { if (T.$("#ticket-list")) T.liveRefresh(); });
  T.on("resync", () => T.liveRefresh());
})(window.Tessera);

// SLA warnings and breaches on the agent's own tickets appear as a notice
// that links to the ticket; every other change just refreshes the lists.
(function (T) {
  T.on("ticket", (d) => {
    if (d.type !== "sla_breached" && d.type !== "sla_warning") return;
    const me = Number(document.body.dataset.agent || 0);
    const box = T.$("#toasts");
    if (!box || !me || d.assignee_id !== me) return;
    const toast = document.createElement("div");
    toast.className = "toast " + (d.type === "sla_breached" ? "toast-breach" : "toast-warn");
    const text = document.createElement("span");
    text.textContent = box.dataset[d.type === "sla_breached" ? "breached" : "warning"];
    const link = document.createElement("a");
    link.href = "/tickets/" + d.ticket_id;
    link.textContent = box.dataset.open;
    toast.append(text, " ", link);
    box.append(toast);
    setTimeout(() => toast.remove(), 20000);
  });
})(window.Tessera);
