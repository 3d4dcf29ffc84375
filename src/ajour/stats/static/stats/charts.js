// Draws every chart whose Vega-Lite spec the page carries as JSON (json_script). No eval: the
// expressions run through vega-interpreter, so the page keeps its Content-Security-Policy.
// Without JavaScript the table under each chart shows the same figures.
(function () {
  "use strict";
  function draw() {
    if (!window.vegaEmbed || !window.vegaInterpreter) {
      return;
    }
    document.querySelectorAll("[data-spec]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-spec"));
      if (!source) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      window
        .vegaEmbed(element, spec, {
          actions: false,
          ast: true,
          expr: window.vegaInterpreter.expressionInterpreter,
          renderer: "svg",
          tooltip: false,
          defaultStyle: false,
        })
        .then(function () {
          // Vega gives the SVG role="graphics-document"; name it so screen readers announce the chart.
          var svg = element.querySelector("svg");
          if (svg) {
            svg.setAttribute("aria-label", spec.description);
          }
          element.classList.add("stats-chart-drawn");
        })
        .catch(function (error) {
          element.classList.add("stats-chart-failed");
          if (window.console) {
            window.console.error(error);
          }
        });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
