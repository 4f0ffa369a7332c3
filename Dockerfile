# The server on its embedded defaults (SQLite in /data, in-process broker, bundled tiny.en);
# with DATABASE_URL=postgresql+psycopg://... and REDIS_URL one node of several (compose.yaml).
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY alembic alembic
COPY server server
COPY media media
COPY analyzers analyzers
COPY static static
RUN pip install --no-cache-dir . "psycopg[binary]>=3.1"
ENV DATABASE_URL=sqlite:////data/interviews.db STATIC_DIR=/app/static \
    ALEMBIC_DIR=/app/alembic RECORDINGS_DIR=/data/recordings JWT_SECRET_FILE=/data/jwt_secret
VOLUME /data
EXPOSE 8000
CMD ["interview-server", "--host", "0.0.0.0", "--port", "8000"]
