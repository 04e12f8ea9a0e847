"""Development command groups: dev CA, stand-ins, demo data, login and try-out helpers, the dev server."""
