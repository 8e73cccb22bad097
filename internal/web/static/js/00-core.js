// Tessera's own small browser layer: no framework, no build step. Every page
// works without it; with it, links and forms marked data-swap load in place,
// lists and tickets stay live through server-sent events, and the keyboard
// drives the workspace. Pages add behaviour by registering with T.on(...).
"use strict";
(function () {
  const T = (window.Tessera = { handlers: {} });
  T.$ = (sel, root) => (root || document).querySelector(sel);
  T.$$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  T.on = (name, fn) => (T.handlers[name] = T.handlers[name] || []).push(fn);
  T.emit = (name, detail) => (T.handlers[name] || []).forEach((fn) => { try { fn(detail); } catch (e) { console.error(e); } });

  // Swap the elements named by ids (comma-separated selectors "#a,#b") with
  // their counterparts in a page fetched from url; the server always answers
  // with a whole page, the client keeps only what it asked for.
  T.swapFrom = function (html, targets) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    let swapped = 0;
    targets.split(",").map((s) => s.trim()).filter(Boolean).forEach((sel) => {
      const cur = T.$(sel), next = doc.querySelector(sel);
      if (cur && next) {
        cur.replaceWith(document.importNode(next, true));
        swapped++;
      }
    });
    const title = doc.querySelector("title");
    if (title) document.title = title.textContent;
    T.emit("swap", { targets });
    return swapped;
  };

  T.fetchPage = async function (url, opts) {
    opts = opts || {};
    opts.headers = Object.assign({ "X-Tessera-Swap": "1" }, opts.headers || {});
    opts.credentials = "same-origin";
    const res = await fetch(url, opts);
    const html = await res.text();
    return { res, html };
  };

  T.refresh = async function (targets, url) {
    const { res, html } = await T.fetchPage(url || location.href);
    if (res.ok) T.swapFrom(html, targets);
  };

  // Links: <a data-swap="#list"> loads in place and updates the address bar.
  document.addEventListener("click", async (ev) => {
    const a = ev.target.closest("a[data-swap]");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    try {
      const { res, html } = await T.fetchPage(a.href);
      if (!res.ok || !T.swapFrom(html, a.dataset.swap)) return (location.href = a.href);
      history.pushState({}, "", res.url);
    } catch (e) {
      location.href = a.href;
    }
  });

  // Forms: <form data-swap="#a,#b"> submit with fetch; the server redirects
  // to the page to show, and the named parts of that page replace ours.
  document.addEventListener("submit", async (ev) => {
    const f = ev.target;
    if (!(f instanceof HTMLFormElement) || !f.dataset.swap || ev.defaultPrevented) return;
    ev.preventDefault();
    const method = (f.getAttribute("method") || "get").toUpperCase();
    const data = new FormData(f);
    if (ev.submitter && ev.submitter.name) data.append(ev.submitter.name, ev.submitter.value);
    let url = f.action, opts = { method };
    if (method === "GET") {
      const u = new URL(f.action, location.href);
      u.search = new URLSearchParams(data).toString();
      url = u.toString();
    } else {
      opts.body = f.enctype === "multipart/form-data" ? data : new URLSearchParams(data);
    }
    const buttons = T.$$("button", f);
    buttons.forEach((b) => (b.disabled = true));
    try {
      const { res, html } = await T.fetchPage(url, opts);
      if (res.status >= 500) throw new Error("server error " + res.status);
      // A 4xx page carries the form again with its errors: show it in place.
      const targets = res.ok ? f.dataset.swap : (f.dataset.swapError || f.dataset.swap);
      if (!T.swapFrom(html, targets)) {
        document.open(); document.write(html); document.close();
        return;
      }
      if (res.ok && (method === "GET" || f.dataset.push !== undefined)) history.pushState({}, "", res.url);
      T.emit("submitted", { form: f, res });
    } catch (e) {
      console.error(e);
      f.removeAttribute("data-swap");
      f.submit(); // fall back to a plain submission
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });

  window.addEventListener("popstate", () => location.reload());

  // Auto-submitting controls: <select data-autosubmit> submits its form.
  document.addEventListener("change", (ev) => {
    const el = ev.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.requestSubmit();
  });

  // Relative times refresh every 30 s from their datetime attribute.
  T.rel = function () {
    const now = Date.now();
    T.$$("time[data-due]").forEach((t) => {
      const due = Date.parse(t.getAttribute("datetime"));
      if (isNaN(due)) return;
      const mins = Math.round((due - now) / 60000), abs = Math.abs(mins);
      const text = abs < 60 ? abs + "m" : abs < 1440 ? Math.floor(abs / 60) + "h " + (abs % 60) + "m" : Math.floor(abs / 1440) + "d " + Math.floor((abs % 1440) / 60) + "h";
      if (t.dataset.state === "paused") return;
      t.textContent = (mins < 0 ? "-" : "") + text;
      t.classList.toggle("sla-breached", mins < 0);
      t.classList.toggle("sla-warn", mins >= 0 && mins < 60);
      t.classList.toggle("sla-ok", mins >= 60);
    });
  };
  setInterval(T.rel, 30000);

  // Live events: one EventSource per page; pages react through T.on("ticket").
  T.live = function (query) {
    if (!window.EventSource || T.source) return;
    T.liveQuery = query || "";
    const es = new EventSource("/events" + T.liveQuery);
    T.source = es;
    ["ticket", "presence", "resync"].forEach((name) =>
      es.addEventListener(name, (ev) => {
        let d = {};
        try { d = JSON.parse(ev.data || "{}"); } catch (e) { /* keep empty */ }
        T.emit(name, d);
      }));
  };

  // Close the stream when the page goes, not when the browser gets round
  // to it: a browser keeps six connections per host, and streams left open
  // by pages already left stall the next page's loading. A page brought
  // back from the back-forward cache listens again.
  window.addEventListener("pagehide", () => {
    if (T.source) { T.source.close(); T.source = null; }
  });
  window.addEventListener("pageshow", (ev) => {
    if (ev.persisted && T.liveQuery !== undefined) T.live(T.liveQuery);
  });

  // Debounced refresh of the parts of the page marked data-live.
  let pending = null;
  T.liveRefresh = function () {
    clearTimeout(pending);
    pending = setTimeout(() => {
      const ids = T.$$("[data-live]").map((el) => "#" + el.id).join(",");
      if (ids) T.refresh(ids).catch((e) => console.error(e));
    }, 250);
  };

  // Keyboard: elements with data-key="x" are clicked (or focused, for
  // fields) when x is pressed outside a text field; "?" opens the list.
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable]")) {
      if (ev.key === "Escape") t.blur();
      return;
    }
    if (ev.key === "?") {
      const d = T.$("#shortcuts");
      if (d && d.showModal) { d.open ? d.close() : d.showModal(); ev.preventDefault(); }
      return;
    }
    T.emit("key", ev);
    if (ev.defaultPrevented) return;
    const el = T.$('[data-key="' + CSS.escape(ev.key) + '"]');
    if (!el) return;
    ev.preventDefault();
    if (el.matches("input, textarea, select")) el.focus();
    else el.click();
  });

  document.addEventListener("DOMContentLoaded", () => {
    T.rel();
    document.documentElement.classList.add("js");
    T.emit("load");
  });
})();
