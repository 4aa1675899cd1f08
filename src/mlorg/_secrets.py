"""Keeping secrets out of what the toolkit prints: the one place that masks a URI.

A tracking URI may carry credentials: ``http://user:password@host``,
``postgresql://user:pa/ss@db/mlflow``, or a token written as the user name,
``https://TOKEN@host``. Everything between ``://`` and the *last* ``@`` is
hidden, so a password containing ``#``, ``/``, ``?`` or ``@`` (characters
that confuse a URL parser) is hidden whole, and nothing of it is shown
percent-decoded either. Over-hiding is the safe error.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["MASK", "credentials", "hide_credentials", "mask_uri"]

#: What stands for hidden credentials.
MASK = "***"

# A URI inside free text: a scheme, "://", then anything up to the last "@"
# before the next whitespace.
_URI_WITH_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<secret>\S*)@")


def credentials(uri: str) -> str | None:
    """The credentials of a URI: everything between ``://`` and the last ``@``, if any.

    >>> credentials("http://ml:pa#ss@host:5000")
    'ml:pa#ss'
    >>> credentials("https://TOKEN@host") , credentials("sqlite:///mlflow.db")
    ('TOKEN', None)
    """
    _, separator, rest = uri.partition("://")
    if not separator:
        return None
    secret, at, _ = rest.rpartition("@")
    return secret if at and secret else None


def mask_uri(uri: str) -> str:
    """Return ``uri`` with its credentials hidden.

    >>> mask_uri("postgresql://u:pa/ss@db.internal/mlflow")
    'postgresql://***@db.internal/mlflow'
    >>> mask_uri("http://u:p?q@host"), mask_uri("http://host:5000")
    ('http://***@host', 'http://host:5000')
    """
    secret = credentials(uri)
    if secret is None:
        return uri
    scheme, _, rest = uri.partition("://")
    return f"{scheme}://{MASK}@{rest.rpartition('@')[2]}"


def hide_credentials(message: str, uri: str | None = None) -> str:
    """Hide the credentials of ``uri`` (as written and percent-decoded) and of any URI in a message.

    >>> hide_credentials("http://ml:s3%40t@host: login as ml:s3@t refused", "http://ml:s3%40t@host")
    'http://***@host: login as *** refused'
    >>> hide_credentials("cannot reach https://TOKEN@host/api")
    'cannot reach https://***@host/api'
    """
    secret = credentials(uri) if uri is not None else None
    if secret is not None:
        forms = {secret, unquote(secret)}
        _, colon, password = secret.partition(":")
        if colon and password:
            forms |= {password, unquote(password)}
        for form in sorted(forms, key=len, reverse=True):
            message = message.replace(f"{form}@", f"{MASK}@").replace(form, MASK)
    return _URI_WITH_CREDENTIALS.sub(lambda m: f"{m['scheme']}{MASK}@", message)
