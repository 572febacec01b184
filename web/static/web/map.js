/* The capacity map and the location picker (Leaflet). Without tiles the points still show; without
   the connection-points API the picker still sets the coordinates. No dependencies besides Leaflet. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var labels = {};
  try { labels = JSON.parse(document.getElementById("map-labels").textContent) || {}; } catch (e) { labels = {}; }
  var bbox = (el.dataset.bbox || "40.8,43.6,45.8,46.3").split(",").map(Number);
  var map = L.map(el, { preferCanvas: false, keyboard: true });
  el.leafletMap = map; /* for tests and page scripts */
  map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var points = L.layerGroup().addTo(map);
  var highlight = L.layerGroup().addTo(map);

  function colour(freeKw) {
    if (freeKw >= 100) { return "#1a7f37"; }
    if (freeKw >= 15) { return "#bf8700"; }
    return "#cf222e";
  }
  function text(value) { return String(value == null ? "" : value).replace(/[&<>"]/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; }); }
  function number(value) { var n = Number(value); return isFinite(n) ? String(Math.round(n * 100) / 100) : text(value); }

  /* Points of the visible box only; far out (zoom < 11) the server answers clusters. Each answer
     replaces the layer, so a visit downloads what is on the screen, not the whole register. */
  var request = 0;
  function loadPoints() {
    var b = map.getBounds().pad(0.2);
    var box = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180),
      Math.min(b.getNorth(), 90)].map(function (v) { return v.toFixed(4); }).join(",");
    var mine = ++request;
    fetch(el.dataset.pointsUrl + "?bbox=" + box + "&zoom=" + map.getZoom(),
      { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (mine !== request) { return; } /* a later move already asked again */
        points.clearLayers();
        (data.features || []).forEach(function (f) {
          var at = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          if (f.properties && f.properties.cluster) {
            var count = f.properties.count;
            L.circleMarker(at, {
              radius: Math.min(8 + Math.sqrt(count) * 2, 28), color: "#0b4f8a", weight: 2, fillColor: "#5b9bd5", fillOpacity: 0.6
            }).bindTooltip(String(count), { permanent: true, direction: "center", className: "cluster-count" })
              .on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, 18)); })
              .addTo(points);
            return;
          }
          var caps = (f.properties && f.properties.capacities) || [];
          var free = caps.reduce(function (m, c) { return Math.max(m, Number(c.free_kw) || 0); }, 0);
          var popup = "<strong>" + text(f.properties.name) + "</strong><br>" + text(f.properties.kind_label) +
            (f.properties.dispatch_number ? ", " + text(f.properties.dispatch_number) : "") +
            caps.map(function (c) {
              return "<br>" + number(c.voltage_kv) + " " + text(labels.kv) + ": " + number(c.free_kw) + " " +
                text(labels.free) + " (" + text(labels.installed) + " " + number(c.installed_kw) + ", " +
                text(labels.reserved) + " " + number(c.reserved_kw) + ")";
            }).join("");
          L.circleMarker(at, {
            // No capacity published for the point (voltage unknown in the source): grey, not "none free".
            radius: 6, color: "#222", weight: 1, fillColor: caps.length ? colour(free) : "#8c959f", fillOpacity: 0.9
          }).bindPopup(popup).addTo(points);
        });
        el.dataset.pointsLoaded = String((data.features || []).length);
      })
      .catch(function () { el.dataset.pointsError = "1"; });
  }
  var timer = null;
  map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(loadPoints, 250); });
  loadPoints();

  /* Search of settlements and districts by name (the gazetteer of the service area). */
  var search = document.getElementById("place-search");
  if (search && el.dataset.placesUrl) {
    var found = document.getElementById("place-results");
    var input = search.querySelector("input");
    search.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(el.dataset.placesUrl + "?q=" + encodeURIComponent(input.value),
        { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (places) {
          found.textContent = "";
          if (!places.length) { found.textContent = labels.no_places || ""; return; }
          places.forEach(function (place) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "link-like";
            button.textContent = place.name + " (" + place.kind_label + ")";
            button.addEventListener("click", function () {
              if (place.bbox) { map.fitBounds([[place.bbox[1], place.bbox[0]], [place.bbox[3], place.bbox[2]]]); }
              else { map.setView([place.latitude, place.longitude], 13); }
            });
            item.appendChild(button);
            found.appendChild(item);
          });
        });
    });
  }

  if (!el.dataset.pick) { return; }

  /* --- Location picker ------------------------------------------------------------------------- */
  var lat = document.getElementById(el.dataset.latInput);
  var lon = document.getElementById(el.dataset.lonInput);
  var nearestBox = document.getElementById("nearest");
  var marker = null;

  function showPick(latlng, pan) {
    if (marker) { marker.setLatLng(latlng); } else {
      marker = L.circleMarker(latlng, { radius: 9, color: "#0b4f8a", weight: 3, fillColor: "#fff", fillOpacity: 1 })
        .bindTooltip(labels.your_object || "").addTo(map);
    }
    if (pan) { map.setView(latlng, Math.max(map.getZoom(), 14)); }
  }

  function renderNearest(data) {
    highlight.clearLayers();
    // The object step lets the applicant choose a point: keep the choice across refreshes.
    var pick = nearestBox.dataset.pick === "1";
    var checked = nearestBox.querySelector("input[name=preferred_connection_point]:checked");
    var chosen = checked ? checked.value : "";
    function radio(value) {
      return pick ? "<input type=\"radio\" name=\"preferred_connection_point\" value=\"" + text(String(value)) + "\"" +
        (String(value) === chosen ? " checked" : "") + "> " : "";
    }
    var html = "<h3>" + text(labels.title) + "</h3><p class=\"summary\">" +
      (data.within_distance ? text(labels.within_summary) : text(data.shortfall && data.shortfall.reason)) + " " +
      text(labels.term) + ": <strong>" + text(data.works_term && data.works_term.label) + "</strong>. " +
      text(labels.fee) + ": <strong>" + text(data.fee_category_label) + "</strong>.</p><ul class=\"points\">";
    if (pick) { html += "<li><label>" + radio("") + text(labels.no_preference) + "</label></li>"; }
    if (!data.candidates || !data.candidates.length) { html += "<li>" + text(labels.none) + "</li>"; }
    (data.candidates || []).forEach(function (p) {
      html += "<li class=\"" + (p.sufficient ? "ok" : "short") + "\"><label>" + radio(p.connection_point_id) + "<strong>" + text(p.name) + "</strong> (" +
        text(p.kind_label) + (p.dispatch_number ? ", " + text(p.dispatch_number) : "") + ", " + number(p.voltage_kv) +
        " " + text(labels.kv) + ") — " + Math.round(p.distance_m) + " " + text(labels.away) + ", " +
        number(p.free_kw) + " " + text(labels.free) + ": " + text(p.sufficient ? labels.enough : labels.not_enough) +
        ", " + text(p.within_distance ? labels.within : labels.beyond) + ".</label></li>";
      L.polyline([[Number(data.latitude), Number(data.longitude)], [Number(p.latitude), Number(p.longitude)]],
        { color: p.sufficient ? "#1a7f37" : "#cf222e", weight: 2, dashArray: "4 4" }).addTo(highlight);
    });
    html += "</ul>" + (data.notes || []).map(function (n) { return "<p class=\"help\">" + text(n) + "</p>"; }).join("");
    nearestBox.innerHTML = html;
  }

  function findNearest() {
    if (!nearestBox || !lat.value || !lon.value) { return; }
    var query = "?lat=" + encodeURIComponent(lat.value) + "&lon=" + encodeURIComponent(lon.value) +
      "&power_kw=" + encodeURIComponent(el.dataset.power || "15") + "&voltage_kv=" +
      encodeURIComponent(el.dataset.voltage || "0.4") + "&household=" + (el.dataset.household === "1");
    fetch(el.dataset.nearestUrl + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (res.ok) { renderNearest(res.body); return; }
        var errors = (res.body && res.body.errors) || [];
        nearestBox.innerHTML = "<p class=\"error\">" + text(errors.length ? errors[0].message : labels.unavailable) + "</p>";
      })
      .catch(function () { nearestBox.innerHTML = "<p class=\"help\">" + text(labels.unavailable) + "</p>"; });
  }

  function fromInputs(pan) {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (isFinite(a) && isFinite(b)) { showPick([a, b], pan); findNearest(); }
  }

  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(6);
    lon.value = e.latlng.lng.toFixed(6);
    showPick(e.latlng, false);
    findNearest();
  });
  lat.addEventListener("change", function () { fromInputs(true); });
  lon.addEventListener("change", function () { fromInputs(true); });
  if (lat.value && lon.value) {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (isFinite(a) && isFinite(b)) { showPick([a, b], true); }
  }
})();
