/* Consumers' reports: the place picker of the report form, the public incident map, the defect
   field shown only for equipment defects, and canned answers in the branch's incident page.
   Every page still works without it (coordinates typed, settlement chosen, answer typed). */
(function () {
  "use strict";
  var labels = {};
  var labelsEl = document.getElementById("map-labels");
  if (labelsEl) { try { labels = JSON.parse(labelsEl.textContent) || {}; } catch (e) { labels = {}; } }
  function text(value) { return String(value == null ? "" : value).replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; }); }

  function baseMap(el) {
    var bbox = (el.dataset.bbox || "40.8,43.6,45.8,46.3").split(",").map(Number);
    var map = L.map(el, { keyboard: true });
    el.leafletMap = map; /* for tests */
    map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  /* The report form: a click on the map fills the coordinates. */
  var pickEl = document.getElementById("report-map");
  if (pickEl && window.L) {
    var map = baseMap(pickEl);
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var marker = null;
    var show = function (latlng) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.circleMarker(latlng, { radius: 9, color: "#0b4f8a", weight: 3, fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip(labels.your_place || "").addTo(map);
      }
    };
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      show(e.latlng);
    });
    var fromInputs = function () {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isFinite(a) && isFinite(b)) { show([a, b]); }
    };
    lat.addEventListener("change", fromInputs);
    lon.addEventListener("change", fromInputs);
    fromInputs();
  }

  /* The defect sub-kind only matters for equipment defects. */
  var defect = document.getElementById("field-defect_kind");
  var kinds = document.querySelectorAll("input[name=kind]");
  if (defect && kinds.length) {
    var sync = function () {
      var chosen = document.querySelector("input[name=kind]:checked");
      defect.hidden = !(chosen && chosen.value === "equipment_defect");
    };
    kinds.forEach(function (input) { input.addEventListener("change", sync); });
    sync();
  }

  /* The public incident map: approximate positions, no personal data. */
  var incidentEl = document.getElementById("incident-map");
  var dataEl = document.getElementById("incident-data");
  if (incidentEl && dataEl && window.L) {
    var incidentMap = baseMap(incidentEl);
    var incidents = [];
    try { incidents = JSON.parse(dataEl.textContent) || []; } catch (e) { incidents = []; }
    var layer = L.layerGroup().addTo(incidentMap);
    incidents.forEach(function (item) {
      var popup = "<strong>" + text(item.kind_label) + (item.defect_label ? ": " + text(item.defect_label) : "") +
        "</strong><br>" + text(item.area) + "<br>" + text(labels.since) + " " + text(item.since_text) +
        "<br>" + text(item.status_label) + (item.expected_fix ? ", " + text(labels.expected_fix) + " " + text(item.expected_fix) : "") +
        "<br>" + text(labels.reports) + ": " + text(item.reports);
      L.circleMarker([item.latitude, item.longitude], { radius: 10, color: "#cf222e", weight: 2, fillOpacity: 0.35 })
        .bindPopup(popup).addTo(layer);
    });
    incidentEl.dataset.incidents = String(incidents.length);
  }

  /* Canned answers: choosing one fills the answer and its status. */
  var canned = document.getElementById("id_canned");
  var answer = document.getElementById("id_answer_text");
  var statusSelect = document.getElementById("id_status");
  if (canned && answer) {
    canned.addEventListener("change", function () {
      var item = document.querySelector("#canned-list li[data-id=\"" + canned.value + "\"]");
      if (!item) { return; }
      answer.value = item.textContent;
      if (statusSelect && item.dataset.status) { statusSelect.value = item.dataset.status; }
    });
  }
}());
