// Organizers' floor plan: clicking a free cell on a map fills in the hall, row and column of the form.
(function () {
  "use strict";
  document.querySelectorAll("[data-hall-id] .cell-free").forEach(function (cell) {
    cell.addEventListener("click", function () {
      var form = document.getElementById("place");
      if (!form || !form.elements.hall_id) { return; }
      form.elements.hall_id.value = cell.closest("[data-hall-id]").dataset.hallId;
      form.elements.row.value = cell.dataset.row;
      form.elements.col.value = cell.dataset.col;
      form.elements.code.value = "";
      form.scrollIntoView({behavior: "smooth", block: "nearest"});
    });
  });
})();
