// The wizard's steps: a warning before leaving a step with changes that are not saved, and on the
// applicant step the fields that the chosen applicant type needs (marked) or has (shown).
(function () {
  "use strict";
  var form = document.querySelector("[data-wizard-form]");
  if (!form) return;

  var changed = false;
  function markChanged(event) {
    if (event.target && event.target.form === form) changed = true;
  }
  document.addEventListener("input", markChanged);
  document.addEventListener("change", markChanged);
  form.addEventListener("submit", function () {
    changed = false;
  });
  // Other forms of the page (upload, "use a saved applicant") leave on purpose as well.
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (other) {
    if (other !== form) other.addEventListener("submit", function () { changed = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!changed) return undefined;
    event.preventDefault();
    event.returnValue = "";
    return "";
  });

  if (!form.hasAttribute("data-applicant-form")) return;
  function chosenType() {
    var checked = form.querySelector("input[name='applicant_type']:checked");
    return checked ? checked.value : "";
  }
  function follow() {
    var type = chosenType();
    if (!type) return;
    Array.prototype.forEach.call(form.querySelectorAll("[data-shown-for]"), function (wrapper) {
      var shown = wrapper.getAttribute("data-shown-for").split(" ").indexOf(type) !== -1;
      wrapper.hidden = !shown;
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-needed-for]"), function (wrapper) {
      var needed = wrapper.getAttribute("data-needed-for").split(" ").indexOf(type) !== -1;
      var mark = wrapper.querySelector(".needed");
      if (mark) mark.hidden = !needed;
      var control = wrapper.querySelector("input, select, textarea");
      if (control) {
        if (needed) control.setAttribute("aria-required", "true");
        else control.removeAttribute("aria-required");
      }
    });
    var person = form.querySelector("[data-person]");
    if (person) person.hidden = type === "legal_entity";
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "applicant_type") follow();
  });
  follow();
})();
