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
