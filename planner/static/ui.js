// Small page behaviours, loaded on every page (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");  // CSS folds the menu only with JS on
  function init() {
    // navigation: on narrow screens the menu button shows and hides the links
    var toggle = document.querySelector("[data-nav-toggle]");
    if (toggle) {
      var header = toggle.closest(".topbar");
      toggle.addEventListener("click", function () {
        var open = header.classList.toggle("nav-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // a select that submits its form when changed (the form also has a button)
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // Plans list: the compare button works once exactly two plans are ticked
    document.querySelectorAll("form[data-pick-two]").forEach(function (form) {
      var button = form.querySelector('button[type="submit"]');
      var count = form.querySelector("[data-pick-count]");
      if (!button) return;
      function update() {
        var n = form.querySelectorAll('input[name="plan"]:checked').length;
        button.disabled = n !== 2;
        if (count) count.textContent = n === 2 ? "" : (2 - n > 0 ? "tick " + (2 - n) + " more" : "tick only two");
      }
      form.addEventListener("change", update);
      update();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  // Delegated (so they also work on content HTMX swaps in), instead of inline handlers:
  // <form data-confirm="Delete …?"> asks before it submits.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation(); // HTMX must not send it either
    }
  }, true);
  document.addEventListener("click", function (event) {
    // <button data-print> prints the page.
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    // The plan page's learner list marks the learner shown (HTMX swaps the panel only).
    var link = event.target.closest(".learner-list a[hx-get]");
    if (link) {
      link.closest(".learner-list").querySelectorAll("a[aria-current]").forEach(function (a) {
        a.removeAttribute("aria-current");
      });
      link.setAttribute("aria-current", "true");
    }
  });
})();
