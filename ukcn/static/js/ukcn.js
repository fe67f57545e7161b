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

  // Formset rows (partners, funding): a "Remove" button instead of the "Delete" box. The box
  // stays in the form, ticked and hidden with its row, so the server drops the row on save.
  var ROW_NOUN = { partners: "partner", funding: "funding source" };

  function rowRemoveWire(root) {
    var rows = root.querySelectorAll ? root.querySelectorAll("[data-formset-row]") : [];
    if (root.matches && root.matches("[data-formset-row]")) rows = [root];
    Array.prototype.forEach.call(rows, function (row) {
      if (row.dataset.removeWired) return;
      var box = row.querySelector("[data-row-delete] input[type='checkbox']");
      if (!box) return;
      row.dataset.removeWired = "1";
      var heading = row.querySelector("h2, h3");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-danger btn-sm";
      // The visible text names the row ("Remove partner 2"), so speech and sight agree.
      button.textContent = heading
        ? "Remove " + heading.textContent.trim().toLowerCase()
        : "Remove this " + (ROW_NOUN[row.dataset.formsetRow] || "row");
      box.closest("[data-row-delete]").hidden = true;
      box.closest("[data-row-delete]").after(wrap(button));
      button.addEventListener("click", function () {
        box.checked = true;
        row.hidden = true;
        var add = row.closest("fieldset").querySelector("button[name='add_row']");
        if (add) add.focus();
      });
    });
  }

  function wrap(button) {
    var div = document.createElement("div");
    div.className = "col-12";
    div.appendChild(button);
    return div;
  }

  // After "add another" (htmx), move focus to the new row's first field.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || !/-rows$/.test(target.id)) return;
    var rows = target.querySelectorAll("[data-formset-row]");
    var last = rows[rows.length - 1];
    if (!last) return;
    rowRemoveWire(last);
    var field = last.querySelector("select, input:not([type='hidden']), textarea");
    if (field) field.focus();
  });

  // Unsaved changes: a form marked data-unsaved-warning that was changed and not submitted
  // makes the browser ask before the page is left.
  function unsavedWarningWire(root) {
    var forms = root.querySelectorAll("form[data-unsaved-warning]");
    if (!forms.length) return;
    Array.prototype.forEach.call(forms, function (form) {
      var mark = function () { form.dataset.dirty = "1"; };
      form.addEventListener("input", mark);
      form.addEventListener("change", mark);
      form.addEventListener("submit", function () { delete form.dataset.dirty; });
    });
    window.addEventListener("beforeunload", function (event) {
      if (!document.querySelector("form[data-unsaved-warning][data-dirty]")) return;
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to show their own question
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    errorSummaryWire(document);
    rowRemoveWire(document);
    unsavedWarningWire(document);
  });
})();
