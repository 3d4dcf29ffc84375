/* Starts the vendored Swagger UI on /api/docs with the settings the page carries as JSON, so that no
   inline script is needed and the Content-Security-Policy holds on this page too. */
"use strict";
(function () {
  const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  window.SwaggerUIBundle(settings);
})();
