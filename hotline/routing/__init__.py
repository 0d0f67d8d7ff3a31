"""Routing rules: loading and validating routing_rules/, the jurisdiction tree, decisions."""

# Optional rules files register their builders in ruleset.EXTRA_FILES on import; importing
# them here means any import of hotline.routing.* has them registered before a load.
# Those modules import ruleset, never the other way round, so there is no import cycle.
from hotline.escalation import ladders as _ladders  # noqa: F401
from hotline.reports import crosswalks as _crosswalks  # noqa: F401
from hotline.routing import classification as _classification  # noqa: F401
from hotline.routing import rules_file as _rules_file  # noqa: F401
from hotline.timelimits import holidays as _holidays  # noqa: F401
