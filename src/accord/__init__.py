"""accord: internal service level agreements, from the first negotiation to the monthly credit note.

The public surface is small on purpose: the version, the error hierarchy and the business
calendar. Everything else is reached through `accord.services` or the entry points.
"""

from accord.errors import AccordError, EventLogError, FieldIssue, ValidationError

__version__ = "0.1.0"

__all__ = ["AccordError", "EventLogError", "FieldIssue", "ValidationError", "__version__"]
