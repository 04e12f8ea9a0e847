# The one image of every process: web (gunicorn), RQ workers, the cron scheduler and migrations
# differ only in their command (deploy/compose.yaml, deploy/systemd/).
#   docker build -t entryfiling .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# fonts-wqy-zenhei: the TrueType CJK font the commitment letter embeds (production refuses to start
# without one); tini: a real PID 1 that forwards signals, so gunicorn and RQ stop gracefully.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-zenhei tini \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 entryfiling \
    && useradd --system --uid 10001 --gid entryfiling --home-dir /srv/entryfiling --shell /usr/sbin/nologin entryfiling

WORKDIR /srv/entryfiling
# The whole checkout less what .dockerignore leaves out (tests, caches, local state).
COPY . ./
RUN pip install . && mkdir -p /var/lib/entryfiling && chown entryfiling:entryfiling /var/lib/entryfiling

ENV ENTRYFILING_ENV=production \
    INSTANCE_PATH=/var/lib/entryfiling \
    LETTER_FONT=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
    GUNICORN_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/entryfiling-metrics

USER entryfiling
EXPOSE 8000
ENTRYPOINT ["tini", "--"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
