"""Running the service in production: JSON logs, request ids, metrics, health and readiness."""
