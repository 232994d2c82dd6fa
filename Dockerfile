# mock-orcid: a local mock of the ORCID API, served by waitress on port 8080.
#   docker build -t mock-orcid . && docker run -p 127.0.0.1:8080:8080 mock-orcid
#   (a bare -p 8080:8080 exposes /__admin, with every client secret, to the whole network)
# Location headers name http://127.0.0.1:8080 unless told otherwise; when the host reaches the
# container on another port, pass -e MOCK_ORCID_BASE_URL=http://127.0.0.1:PORT.
# The entry point is the CLI, so `docker run mock-orcid --help` and
# `docker run mock-orcid fixtures schema` work; the default command serves. Fixtures: mount a
# folder and set MOCK_ORCID_FIXTURES; state across restarts: a volume on /data and
# MOCK_ORCID_STATE_FILE=/data/state.sqlite (see the README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    MOCK_ORCID_CACHE_DIR=/var/cache/mock-orcid

WORKDIR /src

# Dependencies first, from pyproject.toml alone (empty package stubs), so that editing the code
# does not re-download them: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN mkdir -p mock_orcid/registry mock_orcid/wire mock_orcid/oauth mock_orcid/web \
       mock_orcid/sync/webhooks mock_orcid/sync/search \
       mock_orcid/sync/buckets mock_orcid/sync/exports mock_orcid/harness/fixtures xsd/legacy xsd/v2 fixtures \
    && touch README.md mock_orcid/__init__.py mock_orcid/registry/__init__.py \
       mock_orcid/wire/__init__.py mock_orcid/oauth/__init__.py mock_orcid/web/__init__.py \
       mock_orcid/sync/__init__.py mock_orcid/sync/webhooks/__init__.py mock_orcid/sync/search/__init__.py \
       mock_orcid/sync/buckets/__init__.py mock_orcid/sync/exports/__init__.py \
       mock_orcid/harness/__init__.py mock_orcid/harness/fixtures/__init__.py \
    && pip install --no-cache-dir . \
    && pip uninstall -y mock-orcid \
    && rm -rf /src/*

# The project itself; then pre-build the pickled schema sets so the container starts fast.
COPY pyproject.toml README.md ./
COPY mock_orcid ./mock_orcid
COPY xsd ./xsd
COPY fixtures ./fixtures
RUN pip install --no-cache-dir . \
    && python -c "from mock_orcid.wire import schemas; [schemas.schema(n) for n in schemas.SET_NAMES]" \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin mockorcid \
    && chown -R 10001 "$MOCK_ORCID_CACHE_DIR" \
    && mkdir /data && chown 10001 /data \
    && rm -rf build ./*.egg-info

USER 10001
WORKDIR /
EXPOSE 8080

HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python3", "-c", "import os, sys, urllib.request; port = os.environ.get('MOCK_ORCID_PORT', '8080'); sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/__admin/health?ready' % port, timeout=2).status == 200 else 1)"]

ENTRYPOINT ["mock-orcid"]
CMD ["serve", "--host", "0.0.0.0"]
