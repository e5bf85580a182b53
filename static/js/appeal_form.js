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
