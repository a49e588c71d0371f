(function () {
  "use strict";
  document.documentElement.className = "js";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#checks tbody tr"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var state = { group: "all", query: "" };
  // Links written before groups existed filter by outcome: the same rows, by another name.
  var aliases = { fail: "failed", error: "errors", pass: "passed", warning: "warnings", skip: "skipped" };
  function apply() {
    var query = state.query.toLowerCase();
    var count = 0;
    for (var i = 0; i < rows.length; i++) {
      var match = (state.group === "all" || rows[i].getAttribute("data-group") === state.group) &&
        (!query || texts[i].indexOf(query) !== -1);
      rows[i].hidden = !match;
      if (match) { count++; }
    }
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-filter") === state.group));
    });
    shown.textContent = count + " of " + rows.length + " shown";
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { state.group = button.getAttribute("data-filter"); apply(); });
  });
  search.addEventListener("input", function () { state.query = search.value; apply(); });
  var hash = new URLSearchParams(location.hash.slice(1));
  var wanted = hash.get("group") || hash.get("outcome");
  if (wanted) { state.group = aliases[wanted] || wanted; }
  if (hash.get("q")) { state.query = hash.get("q"); search.value = state.query; }
  apply();
}());
