"""Old embedding code, still owned by one person."""

from . import train
