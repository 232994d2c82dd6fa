# mock-orcid: a local mock of the ORCID API, served by waitress on port 8080.
#   docker build -t mock-orcid . && docker run -p 8080:8080 mock-orcid
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOCK_ORCID_CACHE_DIR=/var/cache/mock-orcid

WORKDIR /src
COPY pyproject.toml README.md ./
COPY mock_orcid ./mock_orcid
COPY xsd ./xsd
COPY fixtures ./fixtures

# Install, then pre-build the pickled schema sets so the container starts in well under a second.
RUN pip install --no-cache-dir . \
    && python -c "from mock_orcid import schemas; [schemas.schema(n) for n in schemas.SET_NAMES]" \
    && useradd --system --no-create-home --shell /usr/sbin/nologin mockorcid \
    && chown -R mockorcid "$MOCK_ORCID_CACHE_DIR"

USER mockorcid
WORKDIR /
EXPOSE 8080

HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python3", "-c", "import os, sys, urllib.request; port = os.environ.get('MOCK_ORCID_PORT', '8080'); sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % port, timeout=2).status == 200 else 1)"]

CMD ["mock-orcid", "serve", "--host", "0.0.0.0"]
