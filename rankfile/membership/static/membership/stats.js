// Progressive enhancement: refresh the counts from /api/stats every 10 seconds.
// The page is complete without it; the chart refreshes on the next page load.
(function () {
  "use strict";
  var fmt = new Intl.NumberFormat("en-GB");
  function set(key, n) {
    var cell = document.querySelector('[data-stat="' + key + '"]');
    if (cell) { cell.textContent = fmt.format(n); }
  }
  function refresh() {
    fetch("/api/stats", {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        set("people", s.totals.people);
        Object.keys(s.by_category).forEach(function (kind) {
          set(kind, s.totals.by_category[kind]);
          Object.keys(s.by_category[kind]).forEach(function (status) {
            set(kind + ":" + status, s.by_category[kind][status]);
          });
        });
        var when = document.getElementById("stats-as-of");
        if (when) {
          when.setAttribute("datetime", s.as_of);
          when.textContent = new Date(s.as_of).toLocaleTimeString("en-GB", {timeZone: "Europe/London"});
        }
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
})();
