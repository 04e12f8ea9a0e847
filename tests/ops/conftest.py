"""Operations tests: the app as deployed (real Redis, moto's S3 server), its probes, logs and metrics."""

from tests.jobs.conftest import redis_conn, redis_url  # noqa: F401  (real Redis fixtures)
