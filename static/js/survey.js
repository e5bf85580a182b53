// The survey round's page: a checkbox that ticks (or unticks) every suggestion without a task.
// The ticked ones go as one field, "<name>_list" (ids separated by commas): a round of a
// thousand suggestions, all ticked, would otherwise be more fields than the server reads
// (DATA_UPLOAD_MAX_NUMBER_FIELDS) and the choice would be lost to a "bad request" page.
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("[data-pick-all]")) {
    const name = all.dataset.pickAll;
    const form = all.closest("form");
    all.addEventListener("change", () => {
      for (const box of form.querySelectorAll(`input[type=checkbox][name="${name}"]`)) {
        box.checked = all.checked;
      }
    });
    form.addEventListener("formdata", (event) => {
      const ids = event.formData.getAll(name);
      event.formData.delete(name);
      event.formData.set(`${name}_list`, ids.join(","));
    });
  }
});
