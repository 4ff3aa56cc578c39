# The portal's app server: gunicorn with gunicorn.conf.py, as a non-root user.
# Build: docker build -t recovery-circle .   (compose.yaml builds it too)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin portal

# The wheel holds portal/ only, and the app finds its Alembic revisions in migrations/ next to
# portal/ (MIGRATIONS_DIR in portal/__init__.py). So the source tree stays in /app, the working
# directory, where gunicorn and `flask --app portal` import it first; `pip install` brings the
# dependencies (and the same code). No dev extra: no test tools, linters or browsers.
WORKDIR /app
COPY pyproject.toml README.md gunicorn.conf.py ./
COPY portal ./portal
COPY migrations ./migrations
RUN pip install '.[postgres,redis]' \
    && python -m compileall -q /app/portal

USER portal

ENV PORTAL_ENV=production \
    GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000

# /ping answers without the database. The header says what the TLS proxy says: without it, the
# production HTTPS redirect would answer 302 to https://, which no one serves inside the container.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as r; r.urlopen(r.Request('http://127.0.0.1:8000/ping', headers={'X-Forwarded-Proto': 'https'}), timeout=4)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal:create_app()"]
