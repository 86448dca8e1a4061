// Small enhancements for every page; each page works without them.
(function () {
  "use strict";

  // A form sent back with errors: its summary takes focus, so that the page scrolls to
  // it and a screen reader reads it out.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    // Scrolling to an address's #fragment (the comment form's) drops focus: take it again.
    window.addEventListener("load", function () {
      if (document.activeElement === document.body) { summary.focus(); }
    });
  }

  // A summary's links move to their field and show its label above it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    var input = target.matches("input, select, textarea") ? target
      : target.querySelector("input, select, textarea");
    var label = (input && document.querySelector("label[for='" + input.id + "']"))
      || target.querySelector("legend") || target;
    event.preventDefault();
    label.scrollIntoView();
    (input || target).focus({preventScroll: true});
  });

  // A table wider than its box scrolls inside it: say so above it.
  function markScrollable() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = "The table is wider than the screen: scroll it sideways to see every column.";
        box.parentNode.insertBefore(hint, box);
      }
      hint.classList.toggle("shown", box.scrollWidth > box.clientWidth + 1);
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);
})();
