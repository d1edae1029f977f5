// Swagger UI from the bundled swagger-ui-dist, reading this server's OpenAPI document (in the
// page's language: the address comes from the page).
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.spec || "/openapi.json",
  dom_id: "#swagger-ui", deepLinking: true,
});
