"""Development-only tools: demo data, the dev CA, the stand-ins of outside systems, the first-run
walkthrough and try-out, and the example section bodies.

Production code (the app, both APIs, handlers, jobs) never imports this package; only the
``entryfiling`` command registers its command groups, so a developer types the same commands.
"""
