"""Words that templates translate from data (roles, statuses, timeline kinds): listed here so
message extraction finds them. Nothing imports this module at run time."""

from hotline.i18n.translation import lazy

ROLES = [lazy("Operator"), lazy("Supervisor"), lazy("Agency"), lazy("Admin")]
STATUSES = [
    lazy("Open"),
    lazy("Referred"),
    lazy("In progress"),
    lazy("Resolved"),
    lazy("Closed"),
    lazy("Pending"),
    lazy("Notified"),
    lazy("Acknowledged"),
    lazy("Accepted"),
    lazy("Declined"),
    lazy("Withdrawn"),
    lazy("Dead"),
    lazy("Delivered"),
    lazy("Sending"),
]
TIMELINE = [
    lazy("Created"),
    lazy("Updated"),
    lazy("Routed"),
    lazy("Notice"),
    lazy("Escalated"),
    lazy("Dead letter"),
    lazy("Status"),
    lazy("Redacted"),
    lazy("Resent"),
    lazy("Overdue"),
]
TELEPHONY = [
    lazy("Ringing"),
    lazy("Answered"),
    lazy("Ended"),
    lazy("must be ringing, answered or ended"),
]
API_ERRORS = [
    lazy("invalid input"),
    lazy("authentication required"),
    lazy("your role may not do this"),
    lazy("invalid or revoked token"),
    lazy("request body is too large"),
    lazy("internal error"),
    lazy("must be application/json"),
    lazy("is not UTF-8 text"),
    lazy("no such call"),
    lazy("missing or wrong CSRF token"),
    lazy("was used before with a different body"),
    lazy("unknown user"),
    lazy("follows the referrals; use the referral endpoints"),
    lazy("unknown status"),
    lazy("must be a whole number from 1"),
    lazy("the service is busy; retry shortly"),
]
