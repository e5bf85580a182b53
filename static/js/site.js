// What would otherwise be inline handlers, which the Content-Security-Policy forbids:
// a form with data-confirm asks before it is sent; a button with data-action="back" goes
// back, data-action="print" prints the page.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-action]");
  if (!button) return;
  var action = button.getAttribute("data-action");
  if (action === "back") window.history.back();
  if (action === "print") window.print();
});
