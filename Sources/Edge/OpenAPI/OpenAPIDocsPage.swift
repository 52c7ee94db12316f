/// The HTML of `GET /docs`: Swagger UI over the live document. Swagger UI, not
/// Redoc or Scalar: its "Try it out" sends the request to the edge itself from the
/// page (Redoc has no such thing), it renders OpenAPI 3.1, and it ships as plain
/// files (no build step), which the edge serves itself. URLs are relative, so the
/// page also works behind a path prefix. The page's own query goes with the document's
/// request, so `/docs?api_key=…` reads a document restricted to API keys (`openapi.auth`).
package enum OpenAPIDocsPage {
    package static func html(title: String) -> String {
        let escaped = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escaped) — API reference</title>
            <link rel="stylesheet" href="docs/assets/swagger-ui.css">
            <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
            </head>
            <body>
            <div id="swagger-ui"></div>
            <script src="docs/assets/swagger-ui-bundle.js"></script>
            <script>
            window.ui = SwaggerUIBundle({
              url: "openapi.json" + window.location.search,
              dom_id: "#swagger-ui",
              deepLinking: true,
              displayOperationId: false,
              defaultModelsExpandDepth: 0,
              validatorUrl: null
            });
            </script>
            </body>
            </html>

            """
    }
}
