"""OpenID Connect: the signing key, JWKS, id_token, discovery and userinfo documents."""
from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from datetime import datetime

from ..registry.model import Token
from ..registry.store import Registry
from . import scopes as S
from .lifetimes import ID_TOKEN_SECONDS, is_active

MEMBER_TYPES = ("member", "premium")


_KEY_LOCK = threading.Lock()
_KEY: dict = {}


def signing_key():
    """(private key, kid): one RSA key per process, made on first use."""
    with _KEY_LOCK:
        if not _KEY:
            from cryptography.hazmat.primitives.asymmetric import rsa
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            numbers = key.public_key().public_numbers()
            kid = "mock-orcid-" + hashlib.sha256(
                _b64int(numbers.n).encode("ascii")).hexdigest()[:16]
            _KEY.update(key=key, kid=kid)
        return _KEY["key"], _KEY["kid"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64int(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwks() -> dict:
    key, kid = signing_key()
    numbers = key.public_key().public_numbers()
    return {"keys": [{"kty": "RSA", "e": _b64int(numbers.e), "use": "sig", "kid": kid,
                      "alg": "RS256", "n": _b64int(numbers.n)}]}


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return _b64(digest[:len(digest) // 2])


def id_token(registry: Registry, token: Token, issuer: str, nonce: str | None = None,
             auth_time: datetime | None = None) -> str:
    import jwt
    record = registry.record(token.orcid)
    client = registry.clients.get(token.client_id)
    now = registry.now()
    iat = int(now.timestamp())
    claims = {"at_hash": at_hash(token.access_token), "aud": token.client_id,
              "sub": record.orcid, "auth_time": int((auth_time or now).timestamp()),
              "iss": issuer.rstrip("/"), "exp": iat + ID_TOKEN_SECONDS, "iat": iat,
              "jti": str(uuid.uuid4())}
    if nonce is not None:
        claims["nonce"] = nonce
    if client is not None and client.type in MEMBER_TYPES:
        claims["amr"] = "pwd"
    if record.name_visibility == "public":
        if record.credit_name:
            claims["name"] = record.credit_name
        if record.given_names:
            claims["given_name"] = record.given_names
        if record.family_name:
            claims["family_name"] = record.family_name
    key, kid = signing_key()
    # ORCID's header is {"kid", "alg"}: no "typ" (PyJWT drops a typ of None).
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": None})


def discovery(base_url: str) -> dict:
    base = base_url.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": base + "/oauth/authorize",
        "token_endpoint": base + "/oauth/token",
        "userinfo_endpoint": base + "/oauth/userinfo",
        "jwks_uri": base + "/oauth/jwks",
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["family_name", "given_name", "name", "auth_time", "iss", "sub"],
        "scopes_supported": ["openid"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["code", "id_token", "id_token token"],
        "claims_parameter_supported": False,
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
    }


class UserInfoError(Exception):
    """403 {"error":"access_denied","error-description":"access_token is invalid"} (hyphen!)."""
    status = 403

    def as_dict(self) -> dict:
        return {"error": "access_denied", "error-description": "access_token is invalid"}


def userinfo(registry: Registry, access_token: str | None, registry_url: str) -> dict:
    with registry.lock:
        token = registry.tokens.get(access_token or "")
        if (token is None or token.orcid is None or not is_active(registry, token)
                or "/authenticate" not in S.expand(token.scopes)):
            raise UserInfoError()
        record = registry.records.get(token.orcid)
        if record is None:
            raise UserInfoError()
        public = record.name_visibility == "public"
        return {"id": "%s/%s" % (registry_url.rstrip("/"), record.orcid), "sub": record.orcid,
                "name": record.credit_name if public else None,
                "family_name": record.family_name if public else None,
                "given_name": record.given_names if public else None}
