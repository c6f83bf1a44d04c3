// Scenario editor, "Add a rule": show only the pickers the chosen kind of rule uses.
// Without JavaScript every picker shows and the server ignores the ones that do not apply.
(function () {
  "use strict";
  function update(box) {
    var kind = box.querySelector('[name="new_rule.kind"]').value;
    box.querySelectorAll("[data-kinds]").forEach(function (el) {
      var show = kind !== "" && el.getAttribute("data-kinds").split(" ").indexOf(kind) >= 0;
      el.hidden = !show;
    });
  }
  function init() {
    document.querySelectorAll("[data-rule-pickers]").forEach(function (box) {
      var kind = box.querySelector('[name="new_rule.kind"]');
      if (!kind) return;
      kind.addEventListener("change", function () { update(box); });
      update(box);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
