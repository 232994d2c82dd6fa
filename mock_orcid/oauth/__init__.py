"""OAuth 2.0 and OpenID Connect as ORCID runs them: authorize, token, OpenID, scopes."""
