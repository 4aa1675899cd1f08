"""Lint helpers: explicitly owned by nobody in CODEOWNERS."""

import search
