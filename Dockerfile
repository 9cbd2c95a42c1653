# Levqor: one image for every role (web, worker, scheduler). See docs/scaling.md.
#   docker build -t levqor .
#   docker run -p 8000:8000 levqor                       # embedded default: SQLite in /data
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LEVQOR_HOST=0.0.0.0 \
    LEVQOR_PORT=8000 \
    LEVQOR_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY accounts ./accounts
COPY agents ./agents
COPY bot ./bot
COPY integrations ./integrations
COPY prompts ./prompts
COPY storage ./storage
COPY workflows ./workflows
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --create-home levqor \
    && chown levqor /data

USER levqor
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/api/health/live', timeout=2)" || exit 1
CMD ["levqor", "serve"]
