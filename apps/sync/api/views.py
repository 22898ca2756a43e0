"""HTTP endpoints of the sync protocol (shared/PROTOCOL.md): register, exchange, health."""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.sync.api import serializers as shapes
from apps.sync.api.authentication import NodeTokenAuthentication
from apps.sync.api.parsers import invalid_json, payload_too_large
from apps.sync.api.throttling import ExchangeRateThrottle, RegisterRateThrottle
from apps.sync.errors import ProtocolError, invalid_request
from apps.sync.services.exchange import exchange_run
from apps.sync.services.registration import node_register
from sync_protocol import PROTOCOL_VERSION, codecs, gc_pause
from sync_protocol import errors as codes


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(shapes.ErrorSerializer, description=description)


def checked_body(request, serializer_class):
    """The request body checked against ``serializer_class``, protocol version first."""
    if request.META.get("CONTENT_LENGTH") in (None, "", "0"):
        raise invalid_json("the body is empty.")
    body = request.data
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.", {"request": ["Must be a JSON object."]})
    protocol = body.get("protocol")
    if "protocol" in body and protocol != PROTOCOL_VERSION or isinstance(protocol, bool):
        raise ProtocolError(
            codes.UNSUPPORTED_PROTOCOL,
            f"This server speaks sync protocol {PROTOCOL_VERSION}; the request says {protocol!r}. Update the client.",
            400,
        )
    serializer = serializer_class(data=body)
    if not serializer.is_valid():
        serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def server_time() -> str:
    return codecs.datetime_to_wire(timezone.now())


class RegisterView(APIView):
    throttle_classes = [RegisterRateThrottle]

    @extend_schema(
        operation_id="sync_register",
        summary="Register a computer (node) with a user's login",
        request=shapes.RegisterRequestSerializer,
        responses={
            201: shapes.RegisterResponseSerializer,
            400: _error("invalid_json, invalid_request or unsupported_protocol"),
            401: _error("invalid_credentials"),
            403: _error("not_allowed: the user lacks the permission to register nodes"),
            413: _error("payload_too_large"),
            429: _error("rate_limited"),
        },
        examples=[
            OpenApiExample(
                "Register",
                request_only=True,
                value={"protocol": 1, "username": "ivanov", "password": "…", "name": "Site laptop 3",
                       "app_version": "1.0.0"},
            )
        ],
    )
    def post(self, request):
        body = checked_body(request, shapes.RegisterRequestSerializer)
        node, token = node_register(
            username=body["username"],
            password=body["password"],
            name=body["name"],
            app_version=body["app_version"],
            request=request._request,
        )
        return Response(
            {"protocol": PROTOCOL_VERSION, "node_id": str(node.node_id), "token": token, "server_time": server_time()},
            status=201,
        )


class ExchangeView(APIView):
    authentication_classes = [NodeTokenAuthentication]
    throttle_classes = [ExchangeRateThrottle]

    @extend_schema(
        operation_id="sync_exchange",
        summary="Send a node's changes and receive the server's",
        request=shapes.ExchangeRequestSerializer,
        responses={
            200: shapes.ExchangeResponseSerializer,
            400: _error("invalid_json, invalid_request (with fields) or unsupported_protocol"),
            401: _error("auth_required, invalid_token or node_revoked"),
            403: _error("node_mismatch: the token belongs to another node"),
            409: _error("stale_message: an older message number than the last applied"),
            413: _error("payload_too_large"),
            429: _error("rate_limited"),
        },
    )
    def post(self, request):
        with gc_pause.collection_paused():  # a message's bulk work (sync_protocol.gc_pause)
            return self._exchange(request)

    def _exchange(self, request):
        node = request.auth
        if node is None:
            raise ProtocolError(codes.AUTH_REQUIRED, "Send the node's token in the Authorization header.", 401)
        body = checked_body(request, shapes.ExchangeRequestSerializer)
        if body["node_id"] != node.node_id:
            raise ProtocolError(codes.NODE_MISMATCH, "The token belongs to another node than node_id says.", 403)
        if len(body["changes"]) > settings.SYNC_MAX_MESSAGE_CHANGES:
            raise payload_too_large_changes()
        outcome = exchange_run(
            node=node,
            message_no=body["message_no"],
            ack=body["ack"],
            changes=body["changes"],
            max_changes=body.get("max_changes"),
        )
        return Response(
            {
                "protocol": PROTOCOL_VERSION,
                "message_no": outcome.message_no,
                "results": outcome.results,
                "changes": outcome.changes,
                "next_ack": outcome.next_ack,
                "more": outcome.more,
                "reset": outcome.reset,
                "server_time": server_time(),
            }
        )


def payload_too_large_changes() -> ProtocolError:
    limit = settings.SYNC_MAX_MESSAGE_CHANGES
    return ProtocolError(
        codes.PAYLOAD_TOO_LARGE, f"A message may carry at most {limit} changes; send the rest in the next one.", 413
    )


class HealthView(APIView):
    """For load balancers: 200 while the database answers, 503 otherwise."""

    @extend_schema(operation_id="health", summary="Health check", responses={200: shapes.HealthSerializer,
                                                                               503: shapes.HealthSerializer})
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return Response({"status": "unavailable", "database": "unreachable"}, status=503)
        return Response({"status": "ok", "database": "ok"})


__all__ = ["RegisterView", "ExchangeView", "HealthView", "payload_too_large"]
