(function () {
  "use strict";
  document.documentElement.className = "js";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#checks tbody tr"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var state = { outcome: "all", query: "" };
  function apply() {
    var query = state.query.toLowerCase();
    var count = 0;
    for (var i = 0; i < rows.length; i++) {
      var match = (state.outcome === "all" || rows[i].getAttribute("data-outcome") === state.outcome) &&
        (!query || texts[i].indexOf(query) !== -1);
      rows[i].hidden = !match;
      if (match) { count++; }
    }
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-filter") === state.outcome));
    });
    shown.textContent = count + " of " + rows.length + " shown";
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { state.outcome = button.getAttribute("data-filter"); apply(); });
  });
  search.addEventListener("input", function () { state.query = search.value; apply(); });
  var hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("outcome")) { state.outcome = hash.get("outcome"); }
  if (hash.get("q")) { state.query = hash.get("q"); search.value = state.query; }
  apply();
}());
