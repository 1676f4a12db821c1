// The ticket page follows its ticket: the server pushes "change" (Server-Sent Events)
// when the ticket or its line moves, and the page loads again (within a second). When the
// turn is near or the ticket is called, the phone vibrates and beeps once per state: the
// call longer and twice (a deaf visitor feels the call without looking at the page).
(function () {
  "use strict";
  var card = document.querySelector("[data-live]");
  if (!card) return;
  var alert = card.getAttribute("data-alert");
  var key = "antrian-alerted:" + location.pathname;
  if (alert && sessionStorage.getItem(key) !== alert) {
    sessionStorage.setItem(key, alert);
    var called = alert === "called";
    if (navigator.vibrate) {
      navigator.vibrate(called ? [800, 200, 800, 200, 800] : [400, 150, 400]);
    }
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.6].slice(0, called ? 2 : 1).forEach(function (at) {
        var tone = ctx.createOscillator();
        tone.frequency.value = called ? 988 : 880;
        tone.connect(ctx.destination);
        tone.start(ctx.currentTime + at);
        tone.stop(ctx.currentTime + at + 0.4);
      });
    } catch (e) { /* no sound without a touch first on some phones */ }
  }
  if (!window.EventSource) return;  // the page's own refresh still works
  var source = new EventSource(location.pathname.replace(/\/$/, "") + "/live");
  source.addEventListener("change", function () {
    source.close();
    location.reload();
  });
})();
