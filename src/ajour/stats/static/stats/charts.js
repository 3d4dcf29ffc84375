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
      window
        .vegaEmbed(element, JSON.parse(source.textContent), {
          actions: false,
          ast: true,
          expr: window.vegaInterpreter.expressionInterpreter,
          renderer: "svg",
          tooltip: false,
          defaultStyle: false,
        })
        .then(function () {
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
