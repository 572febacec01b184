/* Document uploads with a progress bar (XMLHttpRequest); without JS the forms post normally. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.upload-form");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file || !file.files.length || !window.FormData) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress");
      var status = form.querySelector(".upload-status");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); status.textContent = bar.value + "%"; }
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300 && body.ok) {
          bar.value = 100;
          window.location.reload();
          return;
        }
        var errors = body.errors || {};
        var messages = [];
        Object.keys(errors).forEach(function (key) { messages = messages.concat(errors[key]); });
        status.textContent = messages.join(" ") || String(xhr.status);
        status.className = "upload-status error";
        bar.hidden = true;
      });
      xhr.addEventListener("error", function () { status.textContent = "!"; bar.hidden = true; });
      xhr.send(new FormData(form));
    });
  });
})();
