// Filters the requirement table by verdict and level. The state lives in the
// URL fragment (#verdict=fail&level=MUST), so a filtered view can be linked
// to and works from file:// without any network.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#req-table tbody tr"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".filters button"));
  var current = { verdict: "", level: "" };
  // state reads the filter from the fragment; a fragment that is an anchor
  // (#case-…) leaves the filter as it was.
  function state() {
    var s = { verdict: "", level: "" }, found = false;
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var p = kv.split("=");
      if (p.length === 2 && (p[0] === "verdict" || p[0] === "level")) { s[p[0]] = decodeURIComponent(p[1]); found = true; }
    });
    if (found || location.hash.length <= 1 || location.hash === "#all") { current = s; }
    return current;
  }
  function apply() {
    var s = state(), shown = 0;
    rows.forEach(function (tr) {
      var ok = (!s.verdict || tr.dataset.verdict === s.verdict) && (!s.level || tr.dataset.level === s.level);
      tr.hidden = !ok;
      if (ok) { shown++; }
    });
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", String(s[b.dataset.filter] === b.dataset.value));
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " requirements";
    document.getElementById("no-rows").hidden = shown !== 0;
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      var s = { verdict: current.verdict, level: current.level };
      s[b.dataset.filter] = b.dataset.value;
      var parts = [];
      if (s.verdict) { parts.push("verdict=" + encodeURIComponent(s.verdict)); }
      if (s.level) { parts.push("level=" + encodeURIComponent(s.level)); }
      location.hash = parts.length ? parts.join("&") : "all";
    });
  });
  window.addEventListener("hashchange", apply);
  apply();
}());
