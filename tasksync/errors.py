"""Errors the user can act on: each prints as one line and exits with its own status."""

from __future__ import annotations


class TasksyncError(Exception):
    """Base of every expected failure; ``str()`` is the one line shown to the user."""

    EXIT_CODE = 1


class UsageError(TasksyncError):
    EXIT_CODE = 2


class VaultError(TasksyncError):
    EXIT_CODE = 3


class TaskSyntaxError(TasksyncError):
    EXIT_CODE = 20
