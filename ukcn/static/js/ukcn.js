// ukcn's own behaviour: small improvements on pages that work without it. No inline scripts
// (the Content-Security-Policy forbids them), so everything is wired here by data attributes.
(function () {
  "use strict";

  // Error summary: move focus to it after a refused submit, and make its links focus the field
  // (a plain anchor only scrolls) with the field's label in view.
  function errorSummaryWire(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    errorSummaryWire(document);
  });
})();
