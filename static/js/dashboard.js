// The dashboard's charts (templates/dashboard/dashboard.html): each <canvas data-chart>
// is drawn with Chart.js (static/vendor/chartjs) from the JSON of the <script
// type="application/json"> its data-source names, written by Django's json_script (the
// Content-Security-Policy allows no inline script). data-chart is "line" (the trend), "bar"
// (categories) or "hbar" (the meeting funnel). Colours are Okabe–Ito's, which people with
// any colour vision tell apart; a line also differs by its dash and its points' shape. Once drawn, a canvas gets
// data-drawn="1" (the browser test waits for it). Each chart's table is next to it.
(function () {
  "use strict";
  var OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var POINTS = ["circle", "rect", "triangle", "rectRot"];

  function datasets(series, kind) {
    return series.map(function (s, i) {
      var colour = OKABE_ITO[i % OKABE_ITO.length];
      var set = { label: s.label, data: s.data, backgroundColor: colour, borderColor: colour };
      if (kind === "line") {
        set.borderDash = DASHES[i % DASHES.length];
        set.pointStyle = POINTS[i % POINTS.length];
        set.pointRadius = 4;
        set.fill = false;
        set.tension = 0;
      }
      return set;
    });
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var kind = canvas.getAttribute("data-chart");
    var horizontal = kind === "hbar";
    new window.Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets(data.series, kind) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: {
          legend: {
            display: data.series.length > 1,
            position: "bottom",
            labels: { usePointStyle: true },
          },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) draw(canvases[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
