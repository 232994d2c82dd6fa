"""Flask application factory: wires the blueprints to one MockState."""
from __future__ import annotations

from flask import Flask

from ..settings import Settings
from ..state import MockState


def create_app(settings: Settings | None = None, state: MockState | None = None) -> Flask:
    state = state or MockState(settings or Settings.from_env())
    app = Flask(__name__)
    app.extensions["mock_orcid"] = state
    app.url_map.strict_slashes = False

    from . import admin, api, errors, group_id_routes, notification_routes, oauth_routes, s3_routes
    from . import admin_webhooks, webhook_routes
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_webhooks.bp)
    app.register_blueprint(webhook_routes.bp)
    app.register_blueprint(oauth_routes.bp)
    app.register_blueprint(group_id_routes.bp)
    app.register_blueprint(notification_routes.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(s3_routes.bp)      # static bucket names: they win over /<prefix>/v3.0
    errors.install(app)

    @app.after_request
    def _no_type_without_body(response):
        # JAX-RS sends no Content-Type for an entity-less 201/204; Flask would say text/html.
        if response.status_code in (201, 204) and not response.get_data():
            response.headers.pop("Content-Type", None)
        return response

    return app

