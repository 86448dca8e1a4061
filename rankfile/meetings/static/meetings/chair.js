// The chair's live tally: ask the meeting's /live/ figures every 1.5 seconds and show
// the people present and the votes (or cards) cast, without reloading the page.
// Progressive enhancement: without this script the page shows the figures as loaded,
// and its Refresh link (and <noscript> note) say how to see newer ones.
(function () {
  "use strict";
  var presence = document.getElementById("presence");
  var url = presence && presence.getAttribute("data-live-url");
  if (!url) { return; }
  var note = document.getElementById("live-note");
  var INTERVAL = 1500;

  function set(key, value) {
    var cell = presence.querySelector('[data-live="' + key + '"]');
    if (cell && cell.textContent !== String(value)) { cell.textContent = String(value); }
  }

  function show(live) {
    set("present", live.present);
    set("voting", live.voting);
    set("quorate", live.quorate ? "quorate" : "not quorate");
    var open = {};
    live.open.forEach(function (q) { open[q.id] = q; });
    var changed = false;
    document.querySelectorAll(".votes-cast[data-question]").forEach(function (line) {
      var q = open[line.getAttribute("data-question")];
      var count = line.querySelector("strong");
      if (!q) { changed = true; return; }
      if (count && count.textContent !== String(q.cast)) { count.textContent = String(q.cast); }
      delete open[q.id];
    });
    if (Object.keys(open).length) { changed = true; }
    if (note && changed && note.hidden) {
      note.textContent = "The questions open have changed: reload the page to see them.";
      note.hidden = false;
    }
  }

  function poll() {
    fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (live) { if (live) { show(live); } })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, INTERVAL); });
  }
  window.setTimeout(poll, INTERVAL);
}());
