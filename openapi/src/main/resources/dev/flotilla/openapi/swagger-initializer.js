// Starts Swagger UI on the document named by #swagger-ui's data-url. A file of its own, not an
// inline script, so the page runs under a Content-Security-Policy of script-src 'self'.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-url"),
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Requests made with "Try it out" go to this server only and carry the browser's session cookie.
    withCredentials: true
  });
});
