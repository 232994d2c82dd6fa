# mock-orcid: a local mock of the ORCID API, served by waitress on port 8080.
#   docker build -t mock-orcid . && docker run -p 8080:8080 mock-orcid
# Location headers name http://127.0.0.1:8080 unless told otherwise; when the host reaches the
# container on another port, pass -e MOCK_ORCID_BASE_URL=http://127.0.0.1:PORT.
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
       mock_orcid/sync/webhooks mock_orcid/sync/buckets mock_orcid/sync/exports xsd/legacy fixtures \
    && touch README.md mock_orcid/__init__.py mock_orcid/registry/__init__.py \
       mock_orcid/wire/__init__.py mock_orcid/oauth/__init__.py mock_orcid/web/__init__.py \
       mock_orcid/sync/__init__.py mock_orcid/sync/webhooks/__init__.py \
       mock_orcid/sync/buckets/__init__.py mock_orcid/sync/exports/__init__.py \
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
    && rm -rf build ./*.egg-info

USER 10001
WORKDIR /
EXPOSE 8080

HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python3", "-c", "import os, sys, urllib.request; port = os.environ.get('MOCK_ORCID_PORT', '8080'); sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % port, timeout=2).status == 200 else 1)"]

CMD ["mock-orcid", "serve", "--host", "0.0.0.0"]
