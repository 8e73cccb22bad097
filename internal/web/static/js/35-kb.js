// The help centre: suggestions while a customer types the subject of a
// request (from the public search), the record of a deflection when they
// leave a suggested article without going back to the form, and the print
// button of an article.
(function () {
  "use strict";
  var KEY = "tessera-kb-pending";

  function pending() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function setPending(v) {
    try { if (v) sessionStorage.setItem(KEY, JSON.stringify(v)); else sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
  }

  function suggest(input) {
    var box = document.createElement("div");
    box.className = "kb-suggest";
    box.hidden = true;
    box.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", box);
    var timer = 0, seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim(), mine = ++seq;
        if (q.length < 3) { box.hidden = true; return; }
        var lang = document.documentElement.lang || "";
        fetch("/api/v1/kb/search?suggest=true&limit=5&q=" + encodeURIComponent(q) + "&locale=" + encodeURIComponent(lang))
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (res) {
            if (mine !== seq) return;
            box.textContent = "";
            if (!res.items || !res.items.length) { box.hidden = true; return; }
            var p = document.createElement("p");
            p.className = "small muted";
            p.textContent = input.getAttribute("data-kb-suggest");
            var ul = document.createElement("ul");
            res.items.forEach(function (it) {
              var li = document.createElement("li"), a = document.createElement("a");
              a.href = new URL(it.url, location.href).pathname + "?from=form";
              a.textContent = it.title;
              a.addEventListener("click", function () { setPending({ id: it.id, q: q }); });
              li.appendChild(a);
              ul.appendChild(li);
            });
            box.appendChild(p);
            box.appendChild(ul);
            box.hidden = false;
          })
          .catch(function () { box.hidden = true; });
      }, 250);
    });
    // Sending the request means the article did not answer it.
    if (input.form) input.form.addEventListener("submit", function () { setPending(null); });
  }

  function article(el) {
    var id = Number(el.getAttribute("data-kb-article")), p = pending();
    if (!p || p.id !== id) return;
    document.querySelectorAll("[data-kb-back]").forEach(function (a) {
      a.addEventListener("click", function () { setPending(null); });
    });
    // Leaving the article (closing the tab, going elsewhere) without going
    // back to the form counts as a deflected request.
    window.addEventListener("pagehide", function () {
      var now = pending();
      if (!now || now.id !== id) return;
      setPending(null);
      var body = new URLSearchParams();
      body.set("q", now.q || "");
      navigator.sendBeacon("/help/articles/" + id + "/deflect", body);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-kb-suggest]").forEach(suggest);
    document.querySelectorAll("[data-kb-article]").forEach(article);
    document.querySelectorAll("[data-kb-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();

// The composer's "insert an article link": a search of the help centre
// whose results insert a Markdown link at the cursor of the reply.
(function () {
  "use strict";
  function setup(box) {
    // The attribute names the text box by id (not as a selector: test
    // tools that search the page for "#compose-body" would find it too).
    var target = document.getElementById(box.getAttribute("data-kb-insert"));
    if (!target || box.dataset.kbReady) return;
    box.dataset.kbReady = "1";
    var label = document.createElement("label"), input = document.createElement("input"), list = document.createElement("ul");
    var id = "kb-insert-q";
    label.className = "small muted";
    label.htmlFor = id;
    label.textContent = box.getAttribute("data-label");
    input.id = id;
    input.type = "search";
    input.autocomplete = "off";
    input.placeholder = box.getAttribute("data-placeholder");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(list);
    box.hidden = false;
    var timer = 0, seq = 0;
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") ev.preventDefault(); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim(), mine = ++seq;
        list.textContent = "";
        if (q.length < 3) return;
        fetch("/api/v1/kb/search?suggest=true&limit=5&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (res) {
            if (mine !== seq) return;
            (res.items || []).forEach(function (it) {
              var li = document.createElement("li"), b = document.createElement("button");
              b.type = "button";
              b.className = "link";
              b.textContent = it.title;
              b.addEventListener("click", function () {
                var link = "[" + it.title.replace(/[\[\]]/g, "") + "](" + it.url + ")";
                var s = target.selectionStart || target.value.length, e = target.selectionEnd || s;
                target.value = target.value.slice(0, s) + link + target.value.slice(e);
                target.focus();
                target.selectionStart = target.selectionEnd = s + link.length;
                target.dispatchEvent(new Event("input", { bubbles: true }));
                list.textContent = "";
                input.value = "";
              });
              li.appendChild(b);
              list.appendChild(li);
            });
          })
          .catch(function () { list.textContent = ""; });
      }, 250);
    });
  }
  function all() { document.querySelectorAll("[data-kb-insert]").forEach(setup); }
  document.addEventListener("DOMContentLoaded", all);
  // The composer is replaced after each message sent (data-swap).
  if (window.Tessera && window.Tessera.on) window.Tessera.on("swap", all);
})();

// An article's files (feature kbmacros): "Insert in the body" puts the
// file's Markdown (an image or a link) where the cursor is in the body.
// Without a script the Markdown stays in its read-only box, to copy.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("body");
    if (!body) return;
    document.querySelectorAll("[data-kb-insert-md]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        var md = b.getAttribute("data-kb-insert-md");
        var s = body.selectionStart || body.value.length, e = body.selectionEnd || s;
        body.value = body.value.slice(0, s) + md + body.value.slice(e);
        body.focus();
        body.selectionStart = body.selectionEnd = s + md.length;
      });
    });
  });
})();
