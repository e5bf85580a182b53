// A department's score sheet (admin/meetings/meeting/score_sheet.html): the clerk types a
// paper sheet without the mouse. Enter in a box moves to the next box, as Tab does, so that
// an Enter pressed out of habit does not save half a sheet; from the last box it moves to
// the save button, and Enter there saves. The inputs come row by row in the page's order.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-score-sheet]")) {
    const boxes = () =>
      Array.from(form.querySelectorAll("tbody input:not([type=hidden])"));
    // The cursor starts in the first box with its value selected: typing replaces it.
    const first = form.querySelector("[autofocus]");
    if (first) first.select();
    form.addEventListener("keydown", (event) => {
      const box = event.target;
      if (event.key !== "Enter" || event.isComposing || !box.matches("tbody input")) return;
      event.preventDefault();
      const all = boxes();
      const next = all[all.indexOf(box) + 1] || form.querySelector("input[type=submit]");
      if (next) {
        next.focus();
        if (next.type !== "submit") next.select();
      }
    });
  }
});
