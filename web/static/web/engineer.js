/* The engineer's application page: documents shown in the page, the object and its candidate
   connection points on a map, and the offer form following the point chosen. Everything works
   without this script too (links open the files, the form posts as typed). */
(function () {
  "use strict";

  /* --- Document viewer ------------------------------------------------------------------------ */
  var viewer = document.getElementById("doc-viewer");
  if (viewer) {
    var frame = document.getElementById("doc-viewer-frame");
    var image = document.getElementById("doc-viewer-image");
    var title = document.getElementById("doc-viewer-title");
    document.querySelectorAll("a.view-link").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var isImage = link.dataset.viewKind === "image";
        title.textContent = link.dataset.viewTitle || "";
        frame.hidden = isImage;
        image.hidden = !isImage;
        if (isImage) { image.src = link.href; image.alt = link.dataset.viewTitle || ""; frame.removeAttribute("src"); }
        else { frame.src = link.href; image.removeAttribute("src"); }
        viewer.hidden = false;
        viewer.scrollIntoView({ block: "start" });
      });
    });
    document.getElementById("doc-viewer-close").addEventListener("click", function () {
      viewer.hidden = true;
      frame.removeAttribute("src");
      image.removeAttribute("src");
    });
  }

  /* --- Object and candidate points ------------------------------------------------------------ */
  var mapEl = document.getElementById("object-map");
  if (mapEl && window.L) {
    var object = JSON.parse(document.getElementById("object-map-object").textContent);
    var points = JSON.parse(document.getElementById("object-map-points").textContent) || [];
    var map = L.map(mapEl, { keyboard: true });
    mapEl.leafletMap = map;
    if (mapEl.dataset.tiles) {
      L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19, attribution: mapEl.dataset.attribution || "" }).addTo(map);
    } else {
      mapEl.classList.add("no-tiles");
    }
    var bounds = L.latLngBounds([[object.lat, object.lon]]);
    function text(value) {
      return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
        return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
      });
    }
    points.forEach(function (p) {
      var colour = p.sufficient ? "#1a7f37" : "#cf222e";
      L.polyline([[object.lat, object.lon], [p.lat, p.lon]], { color: colour, weight: 2, dashArray: "4 4" }).addTo(map);
      L.circleMarker([p.lat, p.lon], { radius: 7, color: "#222", weight: 1, fillColor: colour, fillOpacity: 0.9 })
        // Leaflet inserts tooltips as HTML: asset names come from imports, so escape them.
        .bindTooltip(text(p.label) + " — " + Math.round(p.distance_m) + " m, " + text(p.free_kw) + " kW").addTo(map);
      bounds.extend([p.lat, p.lon]);
    });
    L.circleMarker([object.lat, object.lon], { radius: 9, color: "#0b4f8a", weight: 3, fillColor: "#fff", fillOpacity: 1 }).addTo(map);
    map.fitBounds(bounds.pad(0.2), { maxZoom: 16 });
  }

  /* --- Offer form: the point chosen fills its name and distance ------------------------------- */
  var select = document.querySelector("select[data-offer-point]");
  if (select) {
    var form = select.form;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var label = form.querySelector("[name=connection_point]");
      var distance = form.querySelector("[name=grid_distance_m]");
      if (option && option.value && option.value !== "0") {
        if (label) { label.value = option.dataset.label || ""; }
        if (distance) { distance.value = option.dataset.distance || ""; }
      } else if (label) {
        label.value = "";
      }
    });
  }

  /* --- Offer form: the fee recalculated by the tariffs for what the form says now ------------- */
  var recalc = document.getElementById("fee-recalculate");
  if (recalc) {
    var offer = recalc.form;
    var status = document.getElementById("fee-recalculated");
    function value(name) { var el = offer.querySelector("[name=" + name + "]"); return el ? el.value.trim() : ""; }
    recalc.addEventListener("click", function () {
      var previously = Number(offer.dataset.previouslyKw || 0);
      var total = Number(value("max_power_kw"));
      var privileged = offer.querySelector("[name=privileged_applicant]");
      var body = {
        applicant_group: offer.dataset.applicantGroup === "household" && privileged && privileged.checked ?
          "privileged_household" : offer.dataset.applicantGroup,
        requested_kw: (total - previously).toFixed(2),
        total_kw: total.toFixed(2),
        voltage_kv: value("voltage_level"),
        reliability_category: value("reliability_category") || "III",
        grid_distance_m: value("grid_distance_m"),
        settlement_kind: offer.dataset.settlementKind,
        overhead_km: value("overhead_km") || "0",
        cable_km: value("cable_km") || "0"
      };
      status.textContent = "…";
      fetch(offer.dataset.feeUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "X-CSRFToken": offer.querySelector("[name=csrfmiddlewaretoken]").value },
        body: JSON.stringify(body)
      }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (res) {
          if (!res.ok) {
            var errors = (res.data && res.data.errors) || [];
            status.textContent = errors.length ? errors[0].message : String(res.status);
            return;
          }
          offer.querySelector("[name=fee_rub]").value = res.data.total_rub;
          status.textContent = (res.data.lines || []).map(function (line) {
            return line.label + ": " + line.formula + " = " + line.amount_rub;
          }).join("; ");
        })
        .catch(function () { status.textContent = "—"; });
    });
  }
})();
