// The floor page follows the event stream: on each event (debounced) it fetches the
// floor's fragment again; every few seconds anyway, as waits grow without events.
(function () {
  "use strict";
  var root = document.getElementById("floor");
  if (!root) return;
  var seq = Number(root.getAttribute("data-seq") || 0);
  var busy = false, again = false, timer = null;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch("/console/floor/live", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        root.innerHTML = html;
        var live = root.querySelector("[data-seq]");
        if (live) { seq = Math.max(seq, Number(live.getAttribute("data-seq")) || 0); }
        root.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* the next event or tick tries again */ })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function soon() {
    // One fetch for a burst of events, at most 50 ms after its first: a timer reset by
    // every event would wait out a busy floor's whole stream of them.
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, 50);
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(proto + "//" + location.host + "/api/v1/events?after=" + seq);
    ws.onmessage = function (msg) {
      try { seq = Math.max(seq, JSON.parse(msg.data).seq || 0); } catch (e) { /* ignore */ }
      soon();
    };
    ws.onclose = function () { setTimeout(connect, 2000); };
  }

  connect();
  setInterval(refresh, 5000);
})();
