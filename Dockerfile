# sheetbot: the retention worker as a container image.
#
#   docker build -t sheetbot .
#   docker run --rm --read-only \
#     -v /srv/sheetbot:/config:ro \
#     -e GOOGLE_APPLICATION_CREDENTIALS=/config/key.json \
#     sheetbot                      # = sheetbot run; try: sheetbot run --dry-run, sheetbot demo
#
# /config (mounted read-only, never baked in) holds:
#   /config/sheetbot.toml   the configuration (SHEETBOT_CONFIG points here by default)
#   /config/key.json        the service-account key, if one is used: set
#                           GOOGLE_APPLICATION_CREDENTIALS=/config/key.json or
#                           [google] credentials = "/config/key.json". Without either,
#                           Application Default Credentials apply (workload identity,
#                           Cloud Run's service account).
# The image holds no configuration, key or token. See deploy/README.md.
#
# BASE can be swapped for any Debian-like image with python3 (>= 3.11), its venv module
# and useradd, e.g. a mirrored copy: --build-arg BASE=registry.example.org/python:3.12-slim.
ARG BASE=python:3.12-slim

# ---------------------------------------------------------------- build: the virtual env
FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python3 -m venv /opt/sheetbot
# .dockerignore lets in only what the package needs (pyproject, README, sheetbot/) and the
# versions CI tested it with (constraints.txt).
COPY . /src
# Runtime dependencies only (no [test] extra), at the tested versions; byte-compiled here, as
# the runtime filesystem may be read-only.
RUN /opt/sheetbot/bin/pip install -c /src/constraints.txt /src \
 && /opt/sheetbot/bin/python -m compileall -q /opt/sheetbot/lib \
 && /opt/sheetbot/bin/sheetbot --version

# ---------------------------------------------------------------- runtime
FROM ${BASE}
LABEL org.opencontainers.image.title="sheetbot" \
      org.opencontainers.image.description="Keeps a Code of Conduct committee's incident spreadsheet true to its record-keeping policy." \
      org.opencontainers.image.licenses="MIT"
RUN useradd --system --uid 10001 --user-group --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin sheetbot
COPY --from=build /opt/sheetbot /opt/sheetbot
ENV PATH="/opt/sheetbot/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SHEETBOT_CONFIG=/config/sheetbot.toml
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["sheetbot"]
CMD ["run"]
