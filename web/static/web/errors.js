// The GOV.UK error summary: after a refused form the summary at the top takes the focus (so the
// reader and the screen reader start there), and its links move the focus to the field itself.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var details = target.closest("details");
    if (details) details.open = true;
    target.scrollIntoView({ block: "center" });
    target.focus();
  });
})();
