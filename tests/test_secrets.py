"""mlorg._secrets: everything between :// and the last @ of a URI is hidden."""

from __future__ import annotations

import pytest

from mlorg._secrets import credentials, hide_credentials, mask_uri


@pytest.mark.parametrize(
    ("uri", "masked"),
    [
        ("http://user:pa#ss@host:5000", "http://***@host:5000"),
        ("postgresql://u:pa/ss@db.internal/mlflow", "postgresql://***@db.internal/mlflow"),
        ("https://u:p?q=1@host/api", "https://***@host/api"),
        ("http://TOKEN@host", "http://***@host"),
        ("http://u:p@ss@host", "http://***@host"),
        ("mysql+pymysql://ml:s%40t@db/ml", "mysql+pymysql://***@db/ml"),
        ("sqlite:///mlflow.db", "sqlite:///mlflow.db"),
        ("databricks", "databricks"),
    ],
)
def test_mask_uri_hides_everything_up_to_the_last_at(uri, masked):
    assert mask_uri(uri) == masked


@pytest.mark.parametrize(
    "uri", ["http://user:pa#ss@host", "postgresql://u:pa/ss@db/x", "http://ghp_TOKEN123@host"]
)
def test_no_part_of_the_credentials_survives_in_a_message(uri):
    secret = credentials(uri)
    assert secret is not None
    message = f"{uri}: API request to {uri}/api failed (login {secret} refused)"
    hidden = hide_credentials(message, uri)
    password = secret.partition(":")[2] or secret
    assert password not in hidden
    assert hidden.startswith(mask_uri(uri))


def test_credentials_of_an_unknown_uri_in_free_text_are_hidden_too():
    assert hide_credentials("retrying https://bot:hunter2@mlflow.internal/x") == (
        "retrying https://***@mlflow.internal/x"
    )
    assert hide_credentials("nothing secret at http://host:5000") == (
        "nothing secret at http://host:5000"
    )
