/* Live total of the power step: previously connected + requested, against the limit. */
(function () {
  "use strict";
  var form = document.getElementById("power-form");
  if (!form) { return; }
  var previous = document.getElementById("id_previously_connected_kw");
  var requested = document.getElementById("id_requested_kw");
  var total = document.getElementById("total-kw");
  var over = document.getElementById("over-limit");
  var limit = parseFloat(String(form.dataset.limit).replace(",", "."));
  function value(input) { var n = parseFloat(String(input.value).replace(",", ".")); return isFinite(n) ? n : 0; }
  function update() {
    var sum = Math.round((value(previous) + value(requested)) * 100) / 100;
    total.textContent = String(sum);
    over.hidden = !(isFinite(limit) && sum > limit);
  }
  previous.addEventListener("input", update);
  requested.addEventListener("input", update);
  update();
})();
