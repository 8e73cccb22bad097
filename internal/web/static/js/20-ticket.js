// The ticket page: reply/note modes and their keys, the Markdown preview,
// files by picker and drag-and-drop, live refresh of the thread when the
// ticket changes, a warning when someone writes while you type, and
// presence (who else has the ticket open, who is typing). Without this
// file every part still works as plain forms.
"use strict";
(function (T) {
  const root = () => T.$("[data-ticket-id]");
  const ticketId = () => (root() ? root().dataset.ticketId : "");
  const me = () => document.body.dataset.agent || "";
  const composer = () => T.$("form[data-composer]");
  const textarea = () => T.$("[data-compose-body]");
  const LIVE = "#ticket-head,#thread,#properties,#history";

  // ---- Reply or note ----
  function setMode(f) {
    const checked = T.$('input[name="kind"]:checked', f);
    const kind = checked ? checked.value : "note";
    f.classList.toggle("mode-reply", kind === "reply");
    f.classList.toggle("mode-note", kind === "note");
    const send = T.$("[data-send-label]", f);
    if (send) send.textContent = kind === "note" ? send.dataset.note : send.dataset.reply;
  }
  function focusComposer(kind) {
    const f = composer();
    if (!f) return false;
    const radio = T.$('input[name="kind"][value="' + kind + '"]', f);
    if (!radio) return false; // a light agent has no "reply"
    radio.checked = true;
    setMode(f);
    // Focus once the key is done with, so it is not typed into the box.
    const ta = textarea();
    if (ta) setTimeout(() => { ta.focus(); ta.scrollIntoView({ block: "center", behavior: "smooth" }); }, 0);
    return true;
  }
  T.on("key", (ev) => {
    if (!root()) return;
    if ((ev.key === "r" && focusComposer("reply")) || (ev.key === "n" && focusComposer("note"))) ev.preventDefault();
  });
  document.addEventListener("change", (ev) => {
    const radio = ev.target.closest('form[data-composer] input[name="kind"]');
    if (radio) {
      setMode(radio.form);
      setTimeout(() => textarea() && textarea().focus(), 0);
    }
    const files = ev.target.closest("[data-compose-files]");
    if (files) listFiles(files);
    if (ev.target.closest("#properties form")) ev.target.closest("form").dataset.dirty = "1";
  });
  document.addEventListener("input", (ev) => {
    if (ev.target.closest("#properties form")) ev.target.closest("form").dataset.dirty = "1";
  });

  // Ctrl/Cmd+Enter sends from the text box.
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey) || !ev.target.matches("[data-compose-body]")) return;
    const send = T.$("[data-send-label]", ev.target.form);
    if (send) { ev.preventDefault(); ev.target.form.requestSubmit(send); }
  });

  // ---- Preview ----
  let previewTimer = null;
  async function renderPreview() {
    const pane = T.$("#preview"), ta = textarea();
    if (!pane || !ta) return;
    const res = await fetch("/preview", {
      method: "POST", credentials: "same-origin",
      body: new URLSearchParams({ body: ta.value }),
    });
    if (!res.ok) throw new Error("preview " + res.status);
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const label = T.$(".preview-label", pane);
    pane.replaceChildren(...(label ? [label] : []), ...Array.from(doc.body.childNodes).map((n) => document.importNode(n, true)));
    pane.hidden = false;
  }
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-preview]");
    if (!btn || !btn.form) return;
    ev.preventDefault();
    const pane = T.$("#preview");
    if (pane && !pane.hidden && btn.getAttribute("aria-pressed") === "true") {
      pane.hidden = true;
      btn.setAttribute("aria-pressed", "false");
      return;
    }
    btn.setAttribute("aria-pressed", "true");
    // Without the fragment route, fall back to the form's own preview.
    renderPreview().catch(() => { btn.removeAttribute("data-preview"); btn.form.requestSubmit(btn); });
  });

  // ---- Files: picker and drag-and-drop ----
  function size(n) {
    return n < 1024 ? n + " B" : n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB";
  }
  function listFiles(input) {
    const ul = T.$("[data-file-list]", input.form);
    if (!ul) return;
    ul.replaceChildren();
    Array.from(input.files).forEach((file, i) => {
      const li = document.createElement("li");
      li.append(file.name + " (" + size(file.size) + ")");
      const rm = document.createElement("button");
      rm.type = "button";
      rm.textContent = "×";
      rm.title = ul.dataset.remove;
      rm.setAttribute("aria-label", ul.dataset.remove + " " + file.name);
      rm.addEventListener("click", () => {
        const dt = new DataTransfer();
        Array.from(input.files).forEach((f, j) => { if (j !== i) dt.items.add(f); });
        input.files = dt.files;
        listFiles(input);
      });
      li.append(rm);
      ul.append(li);
    });
  }
  const hasFiles = (ev) => ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes("Files");
  ["dragenter", "dragover"].forEach((type) =>
    document.addEventListener(type, (ev) => {
      const zone = ev.target.closest && ev.target.closest("[data-dropzone]");
      if (!zone || !hasFiles(ev)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "copy";
      zone.classList.add("dragging");
    }));
  document.addEventListener("dragleave", (ev) => {
    const zone = ev.target.closest && ev.target.closest("[data-dropzone]");
    if (zone && !zone.contains(ev.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (ev) => {
    const zone = ev.target.closest && ev.target.closest("[data-dropzone]");
    if (!zone || !hasFiles(ev)) return;
    ev.preventDefault();
    zone.classList.remove("dragging");
    const input = T.$("[data-compose-files]", zone);
    if (!input) return;
    const dt = new DataTransfer();
    Array.from(input.files).forEach((f) => dt.items.add(f));
    Array.from(ev.dataTransfer.files).forEach((f) => dt.items.add(f));
    input.files = dt.files;
    listFiles(input);
  });

  // ---- Live: refresh on changes, warn about replies while typing ----
  let historyOpen = false;
  document.addEventListener("toggle", (ev) => { if (ev.target.id === "history") historyOpen = ev.target.open; }, true);
  T.on("swap", () => {
    const h = T.$("#history");
    if (h && historyOpen) h.open = true;
    const f = composer();
    if (f) setMode(f);
  });

  let refreshTimer = null;
  function refreshTicket() {
    return new Promise((resolve) => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => {
        // Never the composer; nor the panel while its form has unsaved edits.
        const props = T.$("#properties form");
        const targets = props && props.dataset.dirty ? "#ticket-head,#thread,#history" : LIVE;
        T.refresh(targets).then(resolve, (e) => { console.error(e); resolve(); });
      }, 200);
    });
  }

  // After a refresh: messages from others newer than the draft's start.
  function afterRefresh(announce) {
    const f = composer();
    if (!f) return;
    const seen = f.elements.seen_message_id;
    const msgs = T.$$("#thread [data-message-id]");
    const newest = msgs.reduce((n, m) => Math.max(n, +m.dataset.messageId), 0);
    const ta = textarea();
    if (!ta || !ta.value.trim()) {
      // Nothing drafted yet: what is on screen is what was read.
      if (seen && newest > +seen.value) seen.value = newest;
      return;
    }
    if (!announce || !seen) return;
    const names = [];
    msgs.forEach((m) => {
      if (+m.dataset.messageId > +seen.value && m.dataset.authorAgent !== me()) {
        m.classList.add("msg-new");
        if (!names.includes(m.dataset.author)) names.push(m.dataset.author);
      }
    });
    const banner = T.$("#live-banner");
    if (banner && names.length) {
      banner.textContent = banner.dataset.text.replace("{names}", names.join(", "));
      banner.hidden = false;
    }
  }

  T.on("ticket", (d) => {
    if (!root() || String(d.ticket_id) !== ticketId()) return;
    const mine = d.actor_kind === "agent" && String(d.actor_id) === me();
    const message = /^(reply|note)(_added)?$/.test(d.type || "");
    refreshTicket().then(() => afterRefresh(message && !mine));
  });
  T.on("resync", () => { if (root()) refreshTicket().then(() => afterRefresh(true)); });

  T.on("submitted", ({ form, res }) => {
    if (!form.matches("[data-composer]") || !res.ok) return;
    const last = T.$$("#thread .msg");
    if (last.length) last[last.length - 1].scrollIntoView({ block: "center", behavior: "smooth" });
  });
  T.on("submitted", ({ form, res }) => {
    if (res.ok && form.closest("#properties")) delete form.dataset.dirty;
  });

  // ---- Presence ----
  const clientId = (() => {
    const b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(36).padStart(2, "0")).join("").slice(0, 24);
  })();
  let lastInput = 0, lastBeat = 0, sentTyping = false, idleTimer = null;
  const typing = () => Date.now() - lastInput < 5000;

  function beat() {
    const id = ticketId();
    if (!id) return;
    lastBeat = Date.now();
    sentTyping = typing();
    fetch("/tickets/" + encodeURIComponent(id) + "/presence", {
      method: "POST", credentials: "same-origin", keepalive: true,
      body: new URLSearchParams({ client_id: clientId, typing: sentTyping ? "1" : "0" }),
    }).catch(() => {});
  }
  document.addEventListener("input", (ev) => {
    if (!ev.target.matches("[data-compose-body]")) return;
    lastInput = Date.now();
    // Throttled: tell others at the first keystroke, then at most every 5 s.
    if (!sentTyping || Date.now() - lastBeat > 5000) beat();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => { if (sentTyping && !typing()) beat(); }, 5100);
    const pane = T.$("#preview");
    if (pane && !pane.hidden) {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(() => renderPreview().catch(() => {}), 400);
    }
  });
  window.addEventListener("pagehide", () => {
    const id = ticketId();
    if (!id || !navigator.sendBeacon) return;
    const fd = new FormData();
    fd.append("client_id", clientId);
    fd.append("leave", "1");
    navigator.sendBeacon("/tickets/" + encodeURIComponent(id) + "/presence", fd);
  });

  T.on("presence", (d) => {
    const el = T.$("#presence");
    if (!el || String(d.ticket_id) !== ticketId()) return;
    // One line per colleague, however many tabs they have open.
    const byAgent = new Map();
    (d.viewers || []).forEach((v) => {
      if (String(v.agent_id) === me()) return;
      const cur = byAgent.get(v.agent_id);
      byAgent.set(v.agent_id, { name: v.name, typing: !!(v.typing || (cur && cur.typing)) });
    });
    el.replaceChildren(...Array.from(byAgent.values()).map((v) => {
      const s = document.createElement("span");
      s.className = "viewer" + (v.typing ? " typing" : "");
      s.textContent = (v.typing ? el.dataset.typing : el.dataset.viewing).replace("{name}", v.name);
      return s;
    }));
  });

  T.on("load", () => {
    if (!root()) return;
    const f = composer();
    if (f) setMode(f);
    beat();
    setInterval(beat, 15000);
  });
})(window.Tessera);

// Applying a macro (feature kbmacros) brings the composer back with the
// macro's text; what the agent had already written stays in front of it.
(function (T) {
  "use strict";
  if (!T) return;
  let draft = "";
  document.addEventListener("submit", (ev) => {
    if (!ev.target.querySelector || !ev.target.querySelector("[data-macro-apply]")) return;
    const body = document.getElementById("compose-body");
    draft = body ? body.value.trim() : "";
  }, true);
  T.on("swap", () => {
    if (!draft) return;
    const body = document.getElementById("compose-body");
    if (body && !body.value.startsWith(draft)) body.value = body.value ? draft + "\n\n" + body.value : draft;
    draft = "";
  });
})(window.Tessera);
