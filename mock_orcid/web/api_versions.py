"""API versions ORCID no longer serves (its ApiVersionCheckFilter and Disable20RCApiFilter):
1.1 and 1.2 answer 400 9012; the 2.0 release candidates answer 301 9056 to 2.0 itself."""
from __future__ import annotations

from flask import Blueprint, request

from ..registry.errors import OrcidError
from .context import state

bp = Blueprint("api_versions", __name__)

_RETIRED = '<any("1.1","1.2","1.2_rc5","1.2_rc6","1.2_rc7"):version>'
_CANDIDATES = '<any("2.0_rc1","2.0_rc2","2.0_rc3","2.0_rc4"):version>'


@bp.route("/v%s/<path:rest>" % _RETIRED, defaults={"prefix": ""},
          methods=["GET", "POST", "PUT", "DELETE"])
@bp.route("/<any(pub):prefix>/v%s/<path:rest>" % _RETIRED,
          methods=["GET", "POST", "PUT", "DELETE"])
def retired(version: str, rest: str, prefix: str):
    raise OrcidError(9012, "API version %s is disabled; use v3.0 (or v2.1)" % version)


@bp.route("/v%s/<path:rest>" % _CANDIDATES, defaults={"prefix": ""},
          methods=["GET", "POST", "PUT", "DELETE"])
@bp.route("/<any(pub):prefix>/v%s/<path:rest>" % _CANDIDATES,
          methods=["GET", "POST", "PUT", "DELETE"])
def release_candidate(version: str, rest: str, prefix: str):
    path = request.full_path.rstrip("?").replace("/v" + version + "/", "/v2.0/", 1)
    raise OrcidError(9056, "API version %s has been replaced by 2.0" % version, status=301,
                     headers={"Location": state().base_url + path})
