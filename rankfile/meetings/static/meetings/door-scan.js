// The door: scan a member's QR code with the teller's camera, where the browser can.
// Progressive enhancement: without BarcodeDetector (or a camera, or permission) the
// teller types the code, or searches by name; the form works the same either way.
// The page's Permissions-Policy allows the camera for this site's pages only here.
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  var form = document.getElementById("code-form");
  var input = document.getElementById("token");
  if (!box || !form || !input) {
    return;
  }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return; // typing the code stays the way
  }
  var start = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var stream = null;
  var detector = null;

  function say(text) {
    status.textContent = text;
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
    video.hidden = true;
    start.hidden = false;
  }

  function look() {
    if (!stream) {
      return;
    }
    detector.detect(video).then(function (codes) {
      var found = codes.find(function (c) { return c.rawValue; });
      if (found) {
        input.value = found.rawValue;
        say("Code read: checking in.");
        stop();
        form.submit();
      } else {
        window.setTimeout(look, 200);
      }
    }).catch(function () {
      window.setTimeout(look, 400);
    });
  }

  BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) {
      return;
    }
    detector = new BarcodeDetector({ formats: ["qr_code"] });
    box.hidden = false;
    start.addEventListener("click", function () {
      say("Starting the camera…");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          start.hidden = true;
          return video.play();
        })
        .then(function () {
          say("Hold the member's code up to the camera.");
          look();
        })
        .catch(function () {
          stop();
          say("The camera is not available: type the code, or search by name.");
        });
    });
  }).catch(function () { /* no scanning: typing stays */ });
})();
