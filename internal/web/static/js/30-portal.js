// Portal: a form marked data-once is sent once. A second click while the
// first submission (with its files) is still uploading would otherwise
// open the same request twice. Without JavaScript the form works as is.
"use strict";
(function () {
  document.addEventListener("submit", (ev) => {
    const f = ev.target;
    if (!(f instanceof HTMLFormElement) || f.dataset.once === undefined || ev.defaultPrevented) return;
    if (f.dataset.sending) {
      ev.preventDefault();
      return;
    }
    f.dataset.sending = "1";
    f.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
  });
  // Coming back to the page (the back button) makes the form usable again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[data-once]").forEach((f) => {
      delete f.dataset.sending;
      f.querySelectorAll("button[aria-disabled]").forEach((b) => b.removeAttribute("aria-disabled"));
    });
  });
})();
