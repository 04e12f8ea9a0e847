"""What both HTTP layers (the enterprise API and the mini-program API) share: problem+json
errors, the OpenAPI settings, bearer parsing, pagination, links and the filing routes."""
