"""A script outside any package: belongs to no component."""

import warehouse
