// Progressive enhancement: refresh the counts from /api/stats every 10 seconds.
// Every figure on the page has a data-stat key; the page is complete without this
// script, and the chart refreshes on the next page load.
(function () {
  "use strict";
  var fmt = new Intl.NumberFormat("en-GB");
  function set(key, n) {
    document.querySelectorAll('[data-stat="' + key + '"]').forEach(function (cell) {
      cell.textContent = fmt.format(n);
    });
  }
  function show(s) {
    if (s.applications_received) {
      set("received", s.applications_received.total);
    }
    set("people", s.totals.people);
    set("in_good_standing", s.totals.in_good_standing);
    set("ended", s.totals.ended);
    Object.keys(s.totals.by_status).forEach(function (status) {
      set("status:" + status, s.totals.by_status[status]);
    });
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
  }
  function refresh() {
    fetch("/api/stats", {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) { show(s); } })
      .catch(function () {});
  }
  // Tests and a slow page call this at once rather than waiting ten seconds.
  window.rankfileStatsRefresh = refresh;
  setInterval(refresh, 10000);
})();
