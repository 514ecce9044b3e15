"""Keep raw identifiers out of messages that parsers build from file contents."""

import re

_LONG_NUMBER = re.compile(r"\d{8,10}")


def redact(message: str, limit: int = 400) -> str:
    """Parser errors may quote a line of the file; mask numbers that could be a BSN and cap the length."""
    cleaned = _LONG_NUMBER.sub("<number>", " ".join(message.split()))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."
