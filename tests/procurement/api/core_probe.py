"""A probe API module for the core tests: endpoints that need a token, fail, or refuse."""

from __future__ import annotations

from flask.views import MethodView

from procurement.api.core import api_blueprint, current_token, token_auth
from procurement.errors import DomainError

blp = api_blueprint("probe", __name__, "/probe")


@blp.route("/read")
class Read(MethodView):
    @token_auth("read")
    @blp.response(200)
    def get(self):  # type: ignore[no-untyped-def]
        token = current_token()
        return {"organisation": token.organisation.name, "prefix": token.prefix}


@blp.route("/write")
class Write(MethodView):
    @token_auth("write")
    @blp.response(200)
    def post(self):  # type: ignore[no-untyped-def]
        return {"written": True}


@blp.route("/refused")
class Refused(MethodView):
    @blp.response(200)
    def get(self):  # type: ignore[no-untyped-def]
        raise DomainError("Die Frist ist abgelaufen.")


@blp.route("/crash")
class Crash(MethodView):
    @blp.response(200)
    def get(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")
