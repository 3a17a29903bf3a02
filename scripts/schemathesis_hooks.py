"""Schemathesis hooks for scripts/schemathesis: how to send a JSON Lines body (monitoring reports)."""
import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """The body is text (the schema says a non-blank string): a string is sent as it is. A value of
    another type is what a negative test makes to break the schema; on the wire any bytes are text,
    so such a value is sent as no body at all, which the server must refuse."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return b""
