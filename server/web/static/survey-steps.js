// The visitor's survey on the ticket page (/t/{token}), one question a screen as the survey
// tablet asks it. The form stays the server's form (it works without script); this only
// shows one step at a time. Answers and the step are kept in sessionStorage, so a reload
// (or a phone that drops the tab) loses nothing. Keyboard: arrows choose, Enter goes on.
(function () {
  "use strict";
  var key = "survey:" + location.pathname;
  var form = document.getElementById("survey");
  if (!form) { try { sessionStorage.removeItem(key); } catch (e) { /* private mode */ } return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var questions = steps.filter(function (s) { return s.classList.contains("question"); });
  var count = document.getElementById("step-count");
  var nav = form.querySelector(".step-nav");
  var back = document.getElementById("step-back"), next = document.getElementById("step-next");
  var saved = {};
  try { saved = JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  var at = 0;

  function answered(step) { return !step.classList.contains("question") || !!step.querySelector("input:checked"); }
  function save() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.type === "hidden") { return; }
      if (el.type === "radio") { if (el.checked) { values[el.name] = el.value; } return; }
      values[el.name] = el.value;
    });
    try { sessionStorage.setItem(key, JSON.stringify({step: at, values: values})); } catch (e) { /* full */ }
  }
  function restore() {
    var values = saved.values || {};
    Object.keys(values).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio") { if (!form.querySelector("input[name='" + name + "']:checked")) { el.checked = el.value === values[name]; } }
        else if (!el.value) { el.value = values[name]; }
      });
    });
  }
  function show(i, focus) {
    at = Math.max(0, Math.min(i, steps.length - 1));
    steps.forEach(function (s, n) { s.hidden = n !== at; });
    var q = questions.indexOf(steps[at]);
    count.hidden = q < 0;
    if (q >= 0) { count.textContent = form.getAttribute("data-count").replace("{n}", q + 1); }
    back.hidden = at === 0;
    next.hidden = at === steps.length - 1;
    next.disabled = !answered(steps[at]);
    save();
    if (focus) {
      var target = steps[at].querySelector("input:checked") || steps[at].querySelector("input, select, textarea");
      if (target) { target.focus(); }
    }
    window.scrollTo(0, 0);
  }
  function firstOpen() {
    for (var i = 0; i < steps.length; i++) { if (!answered(steps[i])) { return i; } }
    return steps.length - 1;
  }

  restore();
  form.classList.add("stepped");
  nav.hidden = false;
  var start = document.getElementById("problem") ? steps.length - 1 : (saved.step || 0);
  show(Math.min(start, firstOpen()), false);

  form.addEventListener("change", function () { next.disabled = !answered(steps[at]); save(); });
  form.addEventListener("input", save);
  // A tap on an answer goes on to the next question, as on the tablet; arrow keys only choose.
  form.addEventListener("click", function (e) {
    if (e.detail > 0 && e.target.type === "radio" && steps[at].classList.contains("question")) {
      setTimeout(function () { show(at + 1, false); }, 150);
    }
  });
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && at < steps.length - 1 && e.target.tagName !== "BUTTON") {
      e.preventDefault();
      if (answered(steps[at])) { show(at + 1, true); }
    }
  });
  back.addEventListener("click", function () { show(at - 1, true); });
  next.addEventListener("click", function () { if (answered(steps[at])) { show(at + 1, true); } });
}());
