// A "Print" button for pages made to be printed (the minutes): shown only with this
// script, since printing from the browser's menu works without it.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
