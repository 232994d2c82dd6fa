"""ORCID's API error: HTTP status + ORCID error code + messages.

The registry raises these; the web layer renders them as ORCID's ``error:error`` body in the
negotiated format. Texts paraphrase ORCID's per-code templates.
"""
from __future__ import annotations

from http import HTTPStatus

MORE_INFO = "https://members.orcid.org/api/resources/troubleshooting"

# code -> (default HTTP status, user message)
CODES = {
    9001: (400, "There was a problem with your request."),
    9002: (401, "Authentication failed."),
    9006: (400, "There was a problem with your request."),
    9007: (409, "This record has been deprecated."),
    9008: (500, "Something went wrong in the registry."),
    9009: (403, "The notification has already been read and cannot be archived."),
    9010: (403, "You are not the source of this item, so you cannot change it."),
    9011: (404, "The ORCID record was not found."),
    9012: (400, "There was a problem with your request."),
    9056: (301, "This version of the API has moved; use the released version."),
    9013: (403, "This item is private."),
    9014: (403, "You do not have permission to do that."),
    9016: (404, "The item was not found."),
    9017: (401, "The client application is forbidden to access this record."),
    9018: (409, "The ORCID record is locked."),
    9019: (400, "The put-code in the URL does not match the put-code in the body."),
    9020: (400, "The item is not valid."),
    9021: (409, "You already added this item; update it instead."),
    9022: (400, "A title is required."),
    9023: (400, "An external identifier is missing or invalid."),
    9024: (400, "Do not send a put-code when creating an item."),
    9025: (409, "That group id already exists."),
    9026: (400, "That group id record was not found."),
    9028: (404, "The webhook was not found."),
    9029: (404, "The notification was not found."),
    9030: (409, "That item is already on the record."),
    9032: (409, "The user does not accept notifications from members."),
    9034: (400, "The put-code is not valid."),
    9035: (403, "The visibility of an item cannot be changed through the API."),
    9036: (409, "The ORCID record has not been claimed."),
    9037: (400, "A field has a value that is not allowed."),
    9038: (403, "You do not have permission to read this item."),
    9039: (403, "This item is not public."),
    9040: (409, "The item cannot be deleted."),
    9041: (404, "The record has no biography."),
    9042: (400, "Too many put-codes: the limit is 100."),
    9043: (400, "The start parameter must be between 0 and 10000."),
    9044: (409, "The ORCID record is deactivated."),
    9045: (400, "A valid disambiguated organization is required."),
    9046: (400, "A valid organization is required."),
    9047: (400, "The JSON is not valid."),
    9048: (409, "The record already has the maximum number of works."),
    9049: (400, "A date is not valid."),
    9050: (400, "An end date needs a start date."),
    9051: (400, "Invalid value for type."),
    9053: (400, "The ISSN is not valid."),
    9054: (400, "This does not appear to be a valid funding amount"),
    9055: (400, "The start date is after the end date."),
    9058: (400, "Invalid contributor role."),
    9060: (400, "City and country are required."),
    9062: (400, "An organization identifier is required."),
}


class OrcidError(Exception):
    def __init__(self, code: int, developer_message: str, status: int | None = None,
                 user_message: str | None = None, headers: dict | None = None):
        default_status, default_user = CODES.get(code, (400, "There was a problem with your request."))
        self.code = code
        self.status = status or default_status
        # ORCID's developer messages open with the HTTP status, e.g. "409 Conflict: ...".
        self.developer_message = "%d %s: %s" % (self.status, HTTPStatus(self.status).phrase,
                                                developer_message)
        self.user_message = user_message or default_user
        self.headers = headers or {}
        super().__init__("%s %s: %s" % (self.status, code, developer_message))

    def as_dict(self) -> dict:
        # ORCID's JSON key order.
        return {
            "response-code": self.status,
            "developer-message": self.developer_message,
            "user-message": self.user_message,
            "error-code": self.code,
            "more-info": "%s" % MORE_INFO,
        }


class OAuthError(Exception):
    """RFC 6749 error: rendered as {"error", "error_description"}, never as error:error."""

    def __init__(self, error: str, description: str, status: int = 400):
        self.error = error
        self.description = description
        self.status = status
        super().__init__("%s: %s" % (error, description))

    def as_dict(self) -> dict:
        return {"error": self.error, "error_description": self.description}


class InvalidValue(ValueError):
    """A value the registry refuses outside ORCID's API (the admin API, fixtures); names the
    field it is about when it can, so the caller can point at it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Conflict(InvalidValue):
    """The value clashes with what the registry already holds: a duplicate iD or client id,
    a deprecation that would chain or loop."""
