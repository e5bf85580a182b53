// Offer only the chosen estate's buildings. Without this script every building is listed
// and the server still checks that the building is in the estate.
(function () {
  var estate = document.getElementById("id_estate");
  var building = document.getElementById("id_building");
  if (!estate || !building) return;
  function filter() {
    var chosen = estate.value;
    Array.prototype.forEach.call(building.options, function (option) {
      var of = option.getAttribute("data-estate");
      var show = !of || of === chosen;
      option.hidden = !show;
      option.disabled = !show;
      if (!show && option.selected) building.value = "";
    });
  }
  estate.addEventListener("change", filter);
  filter();
})();

// After a send with mistakes, the summary of what to correct takes the focus, so a screen
// reader reads it and the keyboard starts there; each of its links takes the focus to its
// field (following a link to a field's id only scrolls, it does not focus it).
(function () {
  var summary = document.getElementById("form-errors");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
  });
})();
