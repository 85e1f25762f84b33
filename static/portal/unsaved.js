// Warn before leaving a form with unsaved edits: any form marked data-warn-unsaved.
// A static file, not an inline script, so the Content-Security-Policy can forbid inline code.
(function () {
  "use strict";
  var dirty = new Set();

  function watch(form) {
    if (form.dataset.unsavedWatched) return;
    form.dataset.unsavedWatched = "1";
    var mark = function (event) {
      // HTMX helpers (add a tool row, preview) change the form without the user typing into it.
      if (event.target && event.target.closest && event.target.closest("[data-unsaved-ignore]")) return;
      dirty.add(form);
      form.classList.add("has-unsaved-edits");
    };
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function () { dirty.delete(form); });
  }

  function watchAll(root) {
    (root || document).querySelectorAll("form[data-warn-unsaved]").forEach(watch);
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirty.size === 0) return;
    event.preventDefault();
    event.returnValue = "";  // browsers show their own "leave site?" text
  });
  document.addEventListener("DOMContentLoaded", function () { watchAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { watchAll(event.target); });
})();
