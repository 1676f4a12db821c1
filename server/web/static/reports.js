// The reports page's charts, drawn by the vendored uPlot from the figures the server
// put in #chart-data (the same report as the table; nothing is computed here).
(function () {
  "use strict";
  var holder = document.getElementById("chart-data");
  if (!holder || typeof uPlot === "undefined") return;
  var data = JSON.parse(holder.textContent || "{}");
  if (!data.days) return;
  var BLUE = "#1565c0", GREEN = "#1b7f3b";
  var COLORS = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"];

  function width(el) { return Math.max(300, el.parentElement.clientWidth - 24); }
  function bars() { return uPlot.paths.bars({ size: [0.7, 60] }); }
  // Counts start at zero; bars at the ends are whole (half a step of room each side).
  var fromZero = { range: function (_u, _min, max) { return [0, Math.max(1, max) * 1.1]; } };
  // At least one step wide: a period with no tickets has no days, and a zero-wide
  // scale sends uPlot's tick search into an endless loop (the page never loads).
  function padded(n) {
    return { time: false, range: function () { return [-0.5, Math.max(1, n) - 0.5]; } };
  }
  function whole(label) {
    return function (_u, ticks) {
      return ticks.map(function (t) { return Number.isInteger(t) ? label(t) : ""; });
    };
  }

  function draw(id, opts, series) {
    var el = document.getElementById(id);
    opts.width = width(el);
    opts.height = 220;
    var chart = new uPlot(opts, series, el);
    window.addEventListener("resize", function () {
      chart.setSize({ width: width(el), height: 220 });
    });
    return chart;
  }

  var dayIndex = data.days.map(function (_d, i) { return i; });
  draw("chart-days", {
    scales: { x: padded(data.days.length), y: fromZero },
    axes: [{ values: whole(function (t) {
      var d = data.days[t]; return d ? d.slice(8, 10) + "/" + d.slice(5, 7) : "";
    }) }, {}],
    series: [{ label: "Tanggal", value: function (_u, t) { return t == null ? "--" : data.days[t]; } }, { label: "Diterbitkan", stroke: BLUE, fill: BLUE + "55", paths: bars() },
             { label: "Dilayani", stroke: GREEN, width: 2 }],
  }, [dayIndex, data.issued, data.served]);

  var hours = [];
  for (var h = 0; h < 24; h++) hours.push(h);
  var firstHour = 24, lastHour = -1;
  data.arrivals.forEach(function (row) {
    row.forEach(function (n, hour) { if (n) { firstHour = Math.min(firstHour, hour); lastHour = Math.max(lastHour, hour); } });
  });
  if (lastHour < 0) { firstHour = 8; lastHour = 15; }
  var span = hours.slice(firstHour, lastHour + 1);
  var arrivalSeries = [{ label: "Jam" }];
  var arrivalData = [span];
  data.arrivals.forEach(function (row, d) {
    if (!row.some(function (n) { return n > 0; })) return;  // a day the site is closed
    arrivalSeries.push({ label: data.weekdays[d], stroke: COLORS[d], width: 2 });
    arrivalData.push(span.map(function (hour) { return row[hour]; }));
  });
  draw("chart-arrivals", {
    scales: { x: { time: false }, y: fromZero },
    axes: [{ values: whole(function (t) { return String(t).padStart(2, "0") + ".00"; }) }, {}],
    series: arrivalSeries,
  }, arrivalData);

  var buckets = data.wait.map(function (_n, i) { return i; });
  function bucketLabel(t) { return t >= 12 ? "60+" : String(t * 5) + "-" + String(t * 5 + 5); }
  draw("chart-wait", {
    scales: { x: padded(buckets.length), y: fromZero },
    axes: [{ values: whole(bucketLabel) }, {}],
    series: [{ label: "Menit", value: function (_u, t) { return t == null ? "--" : bucketLabel(t); } }, { label: "Antrean", stroke: BLUE, fill: BLUE + "55", paths: bars() }],
  }, [buckets, data.wait]);
  document.body.setAttribute("data-charts", "drawn");
})();
