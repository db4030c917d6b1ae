# The API image: migrates, seeds an empty database, serves with uvicorn (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/crsv-data

COPY pyproject.toml README.md alembic.ini ./
COPY app app
COPY migrations migrations
COPY seeds seeds
RUN pip install -e . && useradd --system --home /srv/crsv-data crsv
USER crsv

ENV CRSV_HOST=0.0.0.0 CRSV_PORT=8000 CRSV_LOG_FORMAT=json
EXPOSE 8000
CMD ["sh", "-c", "crsv db upgrade && crsv seed --if-empty && exec crsv serve"]
