// The rule builder (/admin/triggers, /admin/automations): changing a row's
// field, operator or action type posts the form back with do=refresh, so
// the server renders the operators and value input that fit; without
// script the row's "Update choices" button does the same. The page comes
// back scrolled to the row.
(function () {
  "use strict";
  var form = document.getElementById("rule-form");
  if (!form) return;
  form.classList.add("rule-form-live");
  form.addEventListener("change", function (ev) {
    var el = ev.target.closest("[data-rule-refresh]");
    if (!el) return;
    var row = el.closest(".rule-row");
    var btn = row && row.querySelector("button.rule-refresh");
    if (!btn) return;
    var url = new URL(form.action, location.href);
    url.hash = row.id;
    form.action = url.toString();
    form.requestSubmit(btn);
  });
})();
