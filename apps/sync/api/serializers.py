"""Request checks and the documented shapes of the sync API (drf-spectacular reads these)."""
from __future__ import annotations

from rest_framework import serializers

MAX_INT = 2**63 - 1


class StrictIntegerField(serializers.IntegerField):
    """An integer written as a JSON number: no strings, no booleans, no fractions."""

    default_error_messages = {"strict": "Must be a whole number written as a JSON number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("strict")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    default_error_messages = {"strict": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("strict")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID written as a string (DRF would also take an integer)."""

    default_error_messages = {"strict": "Must be a UUID string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("strict")
        return super().to_internal_value(data)


class RecordSerializer(serializers.Serializer):
    """A record on the wire (PROTOCOL.md): nodes send ``base_version``, the server ``version``."""

    type = serializers.ChoiceField(
        choices=["user", "work_specification", "estimate", "daily_report", "timesheet"]
    )
    id = serializers.UUIDField()
    op = serializers.ChoiceField(choices=["upsert", "delete"])
    base_version = serializers.IntegerField(required=False, help_text="Sent by nodes: the version last received.")
    version = serializers.IntegerField(required=False, help_text="Sent by the server.")
    updated_at = serializers.DateTimeField(required=False)
    data = serializers.DictField(required=False, help_text="The record's fields; `lines` nested. Absent for a delete.")


class RegisterRequestSerializer(serializers.Serializer):
    protocol = StrictIntegerField()
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=1024, trim_whitespace=False)
    name = StrictCharField(max_length=200, help_text="A name for this computer, shown to admins.")
    app_version = StrictCharField(max_length=50, required=False, allow_blank=True, default="")


class RegisterResponseSerializer(serializers.Serializer):
    protocol = serializers.IntegerField()
    node_id = serializers.UUIDField()
    token = serializers.CharField(help_text="Shown once; the server keeps only its hash.")
    server_time = serializers.DateTimeField()


class ExchangeRequestSerializer(serializers.Serializer):
    protocol = StrictIntegerField()
    node_id = StrictUUIDField()
    message_no = StrictIntegerField(min_value=1, max_value=MAX_INT)
    ack = StrictIntegerField(min_value=0, max_value=MAX_INT)
    # Each change is checked against the catalogue when it is applied, with a result of its
    # own (rejected, with reasons); here only that ``changes`` is a list.
    changes = serializers.ListField(allow_empty=True, help_text="Records with base_version (RecordSerializer).")
    max_changes = StrictIntegerField(min_value=1, max_value=MAX_INT, required=False)


class ResultSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["applied", "conflict", "rejected"])
    version = serializers.IntegerField(required=False)
    server = RecordSerializer(required=False)
    fields = serializers.DictField(required=False)


class ExchangeResponseSerializer(serializers.Serializer):
    protocol = serializers.IntegerField()
    message_no = serializers.IntegerField()
    results = ResultSerializer(many=True)
    changes = RecordSerializer(many=True)
    next_ack = serializers.IntegerField()
    more = serializers.BooleanField()
    reset = serializers.BooleanField()
    server_time = serializers.DateTimeField()


class ErrorSerializer(serializers.Serializer):
    protocol = serializers.IntegerField()
    error = serializers.CharField(help_text="A fixed code, e.g. invalid_request, node_revoked.")
    detail = serializers.CharField(help_text="A sentence for a person.")
    fields = serializers.DictField(required=False)


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    database = serializers.CharField()
