"""Flask application factory: wires the blueprints to one MockState."""
from __future__ import annotations

from flask import Flask

from ..settings import Settings
from ..state import MockState
from .routing import LazyBuilderRule


def create_app(settings: Settings | None = None, state: MockState | None = None) -> Flask:
    state = state or MockState(settings or Settings.from_env())
    app = Flask(__name__)
    app.url_rule_class = LazyBuilderRule     # faster start: see web/routing.py
    app.extensions["mock_orcid"] = state
    app.url_map.strict_slashes = False

    from . import admin, api, errors, group_id_routes, limits, notification_routes, oauth_routes
    from . import s3_routes
    from . import admin_webhooks, webhook_routes
    from . import admin_fixtures, admin_harness, admin_index, harness_glue
    from . import search_routes
    from . import api_v2, api_versions  # noqa: F401  (api_v2 registers the 2.x handlers)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_harness.bp)
    app.register_blueprint(admin_index.bp)
    app.register_blueprint(admin_webhooks.bp)
    app.register_blueprint(admin_fixtures.bp)
    app.register_blueprint(webhook_routes.bp)
    from . import pages, signin
    app.register_blueprint(signin.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(oauth_routes.bp)
    app.register_blueprint(group_id_routes.bp)
    app.register_blueprint(notification_routes.bp)
    app.register_blueprint(search_routes.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(s3_routes.bp)      # static bucket names: they win over /<prefix>/v3.0
    app.register_blueprint(api_versions.bp)
    errors.install(app)
    app.before_request(admin.own_callers_only)
    limits.install(app, state.settings.max_body_bytes)

    @app.after_request
    def _no_type_without_body(response):
        # JAX-RS sends no Content-Type for an entity-less 201/204; Flask would say text/html.
        if response.status_code in (201, 204) and not response.get_data():
            response.headers.pop("Content-Type", None)
        return response

    from . import hot_path
    hot_path.install(app)              # per-request work Flask would redo: done once
    harness_glue.install(app, state)   # journal, faults, rate limit: around everything
    return app

