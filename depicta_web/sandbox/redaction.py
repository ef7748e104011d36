"""Keep signatures and keys out of the logs, whatever logs the request line."""

import logging
import re

_SECRET_PARAMS = re.compile(r"(?i)\b(sig|signature|token|key)=[^&\s\"']*")
_BEARER = re.compile(r"(?i)\b(bearer\s+)\S+")
_KEYS = re.compile(r"\bdpct_[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    text = _SECRET_PARAMS.sub(r"\1=[redacted]", text)
    text = _BEARER.sub(r"\1[redacted]", text)
    return _KEYS.sub("dpct_[redacted]", text)


class RedactSignatures(logging.Filter):
    """Rewrites a record's message so a signed URL's `sig=` or an API key never reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
