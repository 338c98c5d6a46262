"""Schemathesis hooks for the live-server test: the bulk endpoint's JSON Lines body is sent as text."""

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")
