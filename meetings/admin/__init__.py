"""Staff pages for appeals and meetings, by area. Every change goes through meetings.services;
these classes only show, collect input and report what the service said."""

from . import api_keys, appeals, meetings, notifications, reference  # noqa: F401 - they register
