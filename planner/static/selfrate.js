// Self-assessment: each rating is saved as it is chosen (POST /assess/rating with the CSRF
// token), with a visible state per skill; plus the rated count and elapsed time.
// Without JavaScript the form's Save buttons still save everything.
(function () {
  "use strict";
  const form = document.getElementById("selfform");
  if (!form) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const groups = new Set([...form.querySelectorAll("input[type=radio]")].map((i) => i.name));
  const rated = document.getElementById("rated");
  const progress = document.getElementById("progress");
  const overall = document.getElementById("save-all");

  const count = () => [...groups].filter((g) => form.querySelector(`input[name="${g}"]:checked`)).length;

  function show(fieldset, state, text) {
    const badge = fieldset.querySelector(".save-state");
    badge.dataset.state = state;
    badge.textContent = text;
  }

  async function save(input) {
    const fieldset = input.closest("fieldset");
    const body = new FormData();
    body.append("skill", input.name.slice("level-".length));
    body.append("level", input.value);
    show(fieldset, "saving", "Saving…");
    if (overall) overall.textContent = "Saving…";
    try {
      const response = await fetch(form.dataset.saveUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json();
      if (!response.ok || !data.saved) throw new Error((data.problems || ["not saved"]).join("; "));
      // Only the latest choice of this skill may mark it saved.
      if (form.querySelector(`input[name="${input.name}"]:checked`) === input) {
        show(fieldset, "saved", "Saved ✓");
      }
      fieldset.querySelector(".verify").hidden = !data.verify;
      if (overall) overall.textContent = "All ratings saved";
    } catch (error) {
      show(fieldset, "error", "Not saved — " + error.message + ". Use Save progress below.");
      if (overall) overall.textContent = "A rating was not saved";
    }
  }

  form.addEventListener("change", (event) => {
    const n = count();
    rated.textContent = n;
    progress.value = n;
    if (event.target.matches("input[type=radio]")) save(event.target);
  });

  const start = Date.now();
  const clock = document.getElementById("clock");
  setInterval(() => {
    const s = Math.floor((Date.now() - start) / 1000);
    clock.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }, 1000);
})();
