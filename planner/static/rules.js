// Scenario editor, "Add a rule": show only the pickers the chosen kind of rule uses.
// Without JavaScript every picker shows and the server ignores the ones that do not apply.
// The pickers of a large scenario arrive by HTMX after the page: update again then.
(function () {
  "use strict";
  function update(box) {
    var kind = box.querySelector('[name="new_rule.kind"]');
    if (!kind) return;
    box.querySelectorAll("[data-kinds]").forEach(function (el) {
      var kinds = el.getAttribute("data-kinds").split(" ");
      el.hidden = !(kind.value !== "" && kinds.indexOf(kind.value) >= 0);
    });
  }
  function updateAll() {
    document.querySelectorAll("[data-rule-pickers]").forEach(update);
  }
  function init() {
    document.querySelectorAll("[data-rule-pickers]").forEach(function (box) {
      box.addEventListener("change", function (event) {
        if (event.target.name === "new_rule.kind") update(box);
      });
    });
    updateAll();
    document.body.addEventListener("htmx:afterSettle", updateAll);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
