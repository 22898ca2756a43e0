"""Every error of the API in the protocol's shape: {"error": code, "detail": sentence, "fields": {...}}."""
from __future__ import annotations

import logging

from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from apps.sync.errors import ProtocolError
from sync_protocol import PROTOCOL_VERSION
from sync_protocol import errors as codes

logger = logging.getLogger(__name__)


def error_response(error: ProtocolError, headers: dict | None = None) -> Response:
    body = {"protocol": PROTOCOL_VERSION, **error.body()}
    return Response(body, status=error.status, headers=headers)


def protocol_exception_handler(exc, context):
    if isinstance(exc, ProtocolError):
        return error_response(exc)
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        error = ProtocolError(codes.RATE_LIMITED, f"Too many requests; try again in {wait} seconds.", 429)
        return error_response(error, headers={"Retry-After": str(wait)})
    if isinstance(exc, exceptions.ParseError):
        return error_response(ProtocolError(codes.INVALID_JSON, "The request body is not valid JSON.", 400))
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_response(
            ProtocolError(codes.INVALID_REQUEST, "Send the request body as application/json.", 400)
        )
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_response(ProtocolError("method_not_allowed", "Use POST for this endpoint.", 405))
    if isinstance(exc, exceptions.NotAuthenticated):
        return error_response(
            ProtocolError(codes.AUTH_REQUIRED, "Send the node's token in the Authorization header.", 401)
        )
    if isinstance(exc, exceptions.ValidationError):
        return error_response(
            ProtocolError(codes.INVALID_REQUEST, "The request has invalid fields.", 400, _fields(exc.detail))
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
        return error_response(ProtocolError("not_found", "There is nothing at this address.", 404))
    if isinstance(exc, exceptions.APIException):
        return error_response(ProtocolError("server_error", str(exc.detail), exc.status_code))
    logger.exception("Unexpected error in %s", context.get("view").__class__.__name__)
    return error_response(
        ProtocolError("server_error", "The server failed to process the request; nothing was applied.", 500)
    )


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {"request": _messages(detail)}


def _messages(value):
    if isinstance(value, dict):
        return _fields(value)
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [str(item) for item in value]
        return {str(index): _messages(item) for index, item in enumerate(value)}
    return [str(value)]


def not_found(request, exception=None):
    """404 for the whole site: the protocol's JSON body under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse(
            {"protocol": PROTOCOL_VERSION, "error": "not_found", "detail": "There is nothing at this address."},
            status=404,
        )
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    """500 for the whole site: the protocol's JSON body under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse(
            {"protocol": PROTOCOL_VERSION, "error": "server_error",
             "detail": "The server failed to process the request; nothing was applied."},
            status=500,
        )
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
