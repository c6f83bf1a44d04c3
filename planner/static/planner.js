// Small page behaviours, kept out of the HTML: the Content-Security-Policy allows no inline
// script or event-handler attributes. Every page works without them.
(function () {
  "use strict";

  // <form data-confirm="Delete …?"> asks before it submits.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
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
    const link = event.target.closest(".learner-list a[hx-get]");
    if (link) {
      link.closest(".learner-list").querySelectorAll("a[aria-current]").forEach(function (a) {
        a.removeAttribute("aria-current");
      });
      link.setAttribute("aria-current", "true");
    }
  });

  // Self-assessment: progress and elapsed time only; saving works without JavaScript.
  function selfAssessment() {
    const form = document.getElementById("selfform");
    if (!form || !document.getElementById("clock")) return;
    const groups = new Set([...form.querySelectorAll("input[type=radio]")].map((i) => i.name));
    const update = function () {
      const n = [...groups].filter((g) => form.querySelector(`input[name="${g}"]:checked`)).length;
      document.getElementById("rated").textContent = n;
      document.getElementById("progress").value = n;
    };
    form.addEventListener("change", update);
    const start = Date.now();
    const clock = document.getElementById("clock");
    setInterval(function () {
      const s = Math.floor((Date.now() - start) / 1000);
      clock.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    }, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", selfAssessment);
  } else {
    selfAssessment();
  }
})();
