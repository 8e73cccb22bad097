// Ticket lists: j/k move a cursor over the rows, Enter opens the row, x
// ticks its box; the header box selects the page; the bulk bar shows while
// tickets are selected. Live events refresh the list and the sidebar counts
// in place, and the selection survives a refresh of the same list.
"use strict";
(function (T) {
  let sel = -1;
  let picked = new Set(); // ids of the ticked rows
  let listURL = null; // the list the selection belongs to
  const rows = () => T.$$("[data-row]");
  const boxes = () => T.$$("input[data-pick]");

  function select(i) {
    const rs = rows();
    if (!rs.length) return;
    sel = Math.max(0, Math.min(rs.length - 1, i));
    rs.forEach((r, j) => r.classList.toggle("selected", j === sel));
    rs[sel].scrollIntoView({ block: "nearest" });
  }

  // sync shows the selection: ticked boxes, the header box, the count, the
  // bar, and the merge choices limited to the selected tickets.
  function sync() {
    const bs = boxes();
    bs.forEach((b) => {
      b.checked = picked.has(b.value);
      const tr = b.closest("tr");
      if (tr) tr.classList.toggle("picked", b.checked);
    });
    const all = T.$("[data-pick-all]");
    if (all) {
      const n = bs.filter((b) => b.checked).length;
      all.checked = n > 0 && n === bs.length;
      all.indeterminate = n > 0 && n < bs.length;
    }
    const bar = T.$("#bulk");
    if (bar) bar.classList.toggle("active", picked.size > 0);
    const count = T.$("[data-pick-count]");
    if (count) count.textContent = String(picked.size);
    const into = T.$("[data-merge-into]");
    if (into) {
      // Only a selected ticket can receive the merge: the choices are the
      // selected rows (the page may have changed since the bar came).
      const keep = into.value;
      Array.from(into.options).forEach((o) => { if (o.value) o.remove(); });
      rows().filter((r) => picked.has(r.dataset.id)).forEach((r) => {
        const subject = r.querySelector(".subject");
        const o = new Option("#" + r.dataset.number + " " + (subject ? subject.textContent.trim() : ""), r.dataset.number);
        into.add(o);
      });
      into.value = Array.from(into.options).some((o) => o.value === keep) ? keep : "";
    }
  }

  // adopt reads the selection from the page (boxes ticked by the server
  // after a refused change), or re-applies ours after a refresh of the
  // same list; another list starts with nothing selected.
  function adopt() {
    const list = T.$("#ticket-list");
    const url = list ? list.dataset.listUrl : null;
    if (url !== listURL) {
      picked = new Set(boxes().filter((b) => b.checked).map((b) => b.value));
      listURL = url;
    } else {
      const present = new Set(boxes().map((b) => b.value));
      picked.forEach((id) => { if (!present.has(id)) picked.delete(id); });
    }
    sync();
  }

  function toggle(id, on) {
    if (on) picked.add(id); else picked.delete(id);
  }

  document.addEventListener("change", (ev) => {
    const b = ev.target;
    if (b.matches && b.matches("input[data-pick]")) {
      toggle(b.value, b.checked);
      sync();
    } else if (b.matches && b.matches("[data-pick-all]")) {
      boxes().forEach((x) => toggle(x.value, b.checked));
      sync();
    }
  });

  // The bar's form returns to the list as it is now (a sort or page may
  // have been loaded in place since the page came).
  document.addEventListener("submit", (ev) => {
    const f = ev.target;
    if (f.id !== "bulk") return;
    const back = f.querySelector('input[name="back"]');
    if (back) back.value = location.pathname + location.search;
  }, true);

  T.on("key", (ev) => {
    if (!rows().length) return;
    if (ev.key === "j") { select(sel + 1); ev.preventDefault(); }
    else if (ev.key === "k") { select(sel - 1); ev.preventDefault(); }
    else if (ev.key === "x" && sel >= 0) {
      const b = rows()[sel].querySelector("input[data-pick]");
      if (b) { toggle(b.value, !b.checked); sync(); ev.preventDefault(); }
    } else if (ev.key === "Enter" && sel >= 0) {
      const a = rows()[sel].querySelector("a[href]");
      if (a) { location.href = a.href; ev.preventDefault(); }
    }
  });
  T.on("swap", () => {
    if (sel >= rows().length) sel = rows().length - 1;
    if (sel >= 0) select(sel);
    adopt();
    T.rel();
  });
  T.on("load", () => {
    adopt();
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
