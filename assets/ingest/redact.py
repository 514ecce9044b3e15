"""Keep raw identifiers and the server's paths out of messages that parsers build from file contents."""

import re

_LONG_NUMBER = re.compile(r"\d{8,10}")
# an absolute path (not the tail of a URL such as http://www.istandaarden.nl/...): only its last part is kept
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.])/(?:[^/\s'\"]+/)+([^/\s'\"]*)")


def redact(message: str, limit: int = 400) -> str:
    """Parser errors may quote a line of the file or the file's place on the server: mask numbers
    that could be a BSN, keep only a path's file name, and cap the length."""
    text = " ".join(message.split()).replace("file://", "")
    cleaned = _LONG_NUMBER.sub("<number>", _ABSOLUTE_PATH.sub(r"\1", text))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."
