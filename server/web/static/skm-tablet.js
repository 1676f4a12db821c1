// The survey tablet at a counter: idle it thanks and invites; a ticket finished at this
// counter (ticket.done on WS /api/v1/events) opens the survey, one question per screen.
// No build step, no library: the page's JSON config holds the questions in both languages.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("survey-config").textContent);
  var lang = cfg.lang, after = cfg.after, current = null, answers = [], step = 0;
  var idleTimer = null, thanksTimer = null, sending = false;
  var total = cfg.questions[lang].length;
  function $(id) { return document.getElementById(id); }
  function tx(key, values) {
    var text = cfg.texts[lang][key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  function show(name) {
    document.querySelectorAll(".screen").forEach(function (el) {
      el.hidden = el.getAttribute("data-screen") !== name;
    });
    document.body.setAttribute("data-showing", name);
  }
  function words() {
    document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = tx(el.getAttribute("data-t")); });
    var sw = document.querySelector("header.top a[hreflang]");
    if (sw) { sw.textContent = tx("language"); }
    document.documentElement.lang = lang;
  }
  function render() {
    words();
    if (!current) { show(thanksTimer ? "thanks" : "idle"); return; }
    $("for-ticket").textContent = tx("skm_for_ticket", {code: current.code});
    if (step < total) {
      var q = cfg.questions[lang][step];
      $("q-count").textContent = tx("skm_question_of", {n: step + 1, total: total});
      $("q-name").textContent = q.code + " · " + q.name;
      $("q-text").textContent = q.text;
      document.querySelectorAll("button.answer").forEach(function (b, i) {
        b.textContent = q.answers[i];
        b.classList.toggle("chosen", answers[step] === i + 1);
      });
      $("back").hidden = step === 0;
      show("question");
    } else {
      show("suggestion");
    }
  }
  function toIdle() {
    current = null; clearTimeout(idleTimer); clearTimeout(thanksTimer); thanksTimer = null;
    $("t-suggestion").value = ""; $("t-problem").hidden = true; render();
  }
  function touched() {
    clearTimeout(idleTimer);
    if (current) { idleTimer = setTimeout(toIdle, cfg.timeout_seconds * 1000); }
  }
  function start(ticket) {
    clearTimeout(thanksTimer); thanksTimer = null;
    current = {id: ticket.id, code: ticket.code}; answers = []; step = 0;
    $("t-suggestion").value = ""; $("t-problem").hidden = true;
    render(); touched();
  }
  function thanks() {
    current = null; clearTimeout(idleTimer);
    show("thanks");
    thanksTimer = setTimeout(toIdle, cfg.thanks_seconds * 1000);
  }
  function send(withSuggestion) {
    if (!current || sending) { return; }
    sending = true;
    var body = {ticket: current.id, answers: answers.slice(0, total)};
    if (withSuggestion && $("t-suggestion").value.trim()) { body.suggestion = $("t-suggestion").value; }
    fetch(cfg.answer, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": cfg.csrf},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return {status: r.status, data: data}; });
    }).then(function (got) {
      sending = false;
      if (got.status === 422 && got.data.code === "too_long") {
        $("t-problem").textContent = tx("skm_problem_too_long", {n: cfg.suggestion_max});
        $("t-problem").hidden = false; return;
      }
      if (got.status === 422 && got.data.code === "markup_not_allowed") {
        $("t-problem").textContent = tx("skm_problem_markup"); $("t-problem").hidden = false; return;
      }
      thanks();  // stored, or already answered: either way the visitor is thanked
    }).catch(function () { sending = false; thanks(); });
  }
  document.querySelectorAll("button.answer").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!current) { return; }
      answers[step] = parseInt(b.getAttribute("data-score"), 10); step += 1; render(); touched();
    });
  });
  $("back").addEventListener("click", function () { if (step > 0) { step -= 1; } render(); touched(); });
  $("back-to-questions").addEventListener("click", function () { step = total - 1; render(); touched(); });
  document.querySelectorAll("button.skip").forEach(function (b) { b.addEventListener("click", toIdle); });
  $("send").addEventListener("click", function () { send(true); });
  $("skip-suggestion").addEventListener("click", function () { send(false); });
  $("t-suggestion").addEventListener("input", touched);
  var sw = document.querySelector("header.top a[hreflang]");
  if (sw) {
    sw.addEventListener("click", function (e) {
      e.preventDefault(); lang = lang === "id" ? "en" : "id"; render(); touched();
    });
  }
  function listen() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + cfg.events + "?after=" + after);
    ws.onmessage = function (m) {
      var e = JSON.parse(m.data);
      if (e.seq) { after = e.seq; }
      if (e.type === "ticket.done" && e.ticket && e.counter && e.counter.code === cfg.counter) {
        start(e.ticket);
      }
    };
    ws.onclose = function () { setTimeout(listen, 2000); };
  }
  render();
  if (cfg.pending) { start(cfg.pending); }  // finished while this page was closed
  listen();
  document.body.setAttribute("data-ready", "1");
}());
