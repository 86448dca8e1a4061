// Progressive enhancement of the vote page: a vote the chair opens appears without
// reloading, and a vote is cast without leaving the page. Without this script the
// page works as before ("Check again", forms that post and come back).
//
// Every 2 s the page asks /vote/status/ with the signed ticket the page holds and
// no cookies (credentials: "omit"): a room of phones polling costs the server no
// session lookups. The answer names the open secret questions.
(function () {
  "use strict";
  var box = document.getElementById("vote-questions");
  if (!box) { return; }
  var news = document.getElementById("vote-news");
  var none = document.getElementById("no-vote");
  var tokenInput = document.querySelector("#vote-token input[name=csrfmiddlewaretoken]");
  var mayVote = box.getAttribute("data-may-vote") === "yes";
  var castUrl = box.getAttribute("data-cast");

  function say(text) { news.textContent = text; }

  function section(q) {
    var s = document.createElement("section");
    s.className = "panel";
    s.setAttribute("data-question", String(q.id));
    s.setAttribute("aria-labelledby", "vq-" + q.id);
    var h = document.createElement("h2");
    h.id = "vq-" + q.id;
    h.textContent = q.kind;
    var p = document.createElement("p");
    p.textContent = q.text;
    s.appendChild(h);
    s.appendChild(p);
    if (mayVote) {
      var f = document.createElement("form");
      f.method = "post";
      f.action = castUrl.replace(/\/0\/vote\/$/, "/" + q.id + "/vote/");
      var t = document.createElement("input");
      t.type = "hidden";
      t.name = "csrfmiddlewaretoken";
      t.value = tokenInput ? tokenInput.value : "";
      f.appendChild(t);
      [["for", "For", ""], ["against", "Against", ""], ["abstain", "Abstain", "secondary"]]
        .forEach(function (c) {
          var b = document.createElement("button");
          b.type = "submit";
          b.name = "choice";
          b.value = c[0];
          b.textContent = c[1];
          if (c[2]) { b.className = c[2]; }
          f.appendChild(b);
          f.appendChild(document.createTextNode(" "));
        });
      s.appendChild(f);
    }
    return s;
  }

  function show(open) {
    var ids = open.map(function (q) { return String(q.id); });
    box.querySelectorAll("section[data-question]").forEach(function (s) {
      if (ids.indexOf(s.getAttribute("data-question")) < 0) {
        s.remove();
        say("The vote has closed.");
      }
    });
    open.forEach(function (q) {
      if (!box.querySelector('section[data-question="' + q.id + '"]')) {
        box.insertBefore(section(q), none);
        say("A vote is open: " + q.kind + ".");
      }
    });
    none.hidden = open.length > 0;
  }

  function poll() {
    fetch(box.getAttribute("data-status"), {credentials: "omit",
                                           headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) { show(s.open); } })
      .catch(function () {});
  }

  box.addEventListener("submit", function (e) {
    var form = e.target;
    var button = e.submitter;
    if (!button || !button.value) { return; }
    e.preventDefault();
    var data = new FormData(form);
    data.set("choice", button.value);
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        var p = document.createElement("p");
        p.className = answer.ok ? "voted" : "message error";
        p.textContent = answer.message;
        form.replaceWith(p);
        say(answer.message);
      })
      .catch(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        say("Your vote did not reach us: try again.");
      });
  });

  // Tests call this rather than waiting two seconds.
  window.rankfileVotePoll = poll;
  setInterval(poll, 2000);
})();
