"""Staff pages of the Five Zeros, by area. Every change goes through zeroindex.services; these
classes only show, collect input and report what the service said."""

from . import incidents, records_start, surveys  # noqa: F401 - they register
