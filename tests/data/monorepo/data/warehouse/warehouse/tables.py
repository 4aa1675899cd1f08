"""Read warehouse tables."""

import os


def read(table, key):
    return os.path.join(table, str(key))
