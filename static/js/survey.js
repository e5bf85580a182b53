// The survey round's page: a checkbox that ticks (or unticks) every suggestion without a task.
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("[data-pick-all]")) {
    const name = all.dataset.pickAll;
    const form = all.closest("form");
    all.addEventListener("change", () => {
      for (const box of form.querySelectorAll(`input[type=checkbox][name="${name}"]`)) {
        box.checked = all.checked;
      }
    });
  }
});
