from appeals.models.keys import Open311Key
from appeals.models.reports import (
    ANSWER_STATUSES,
    CLOSED_STATUSES,
    URGENT_DEFECTS,
    CannedAnswer,
    DefectKind,
    Incident,
    Report,
    ReportKind,
    ReportPhoto,
    Status,
    StatusEntry,
)

__all__ = [
    "ANSWER_STATUSES",
    "CLOSED_STATUSES",
    "URGENT_DEFECTS",
    "CannedAnswer",
    "DefectKind",
    "Incident",
    "Open311Key",
    "Report",
    "ReportKind",
    "ReportPhoto",
    "Status",
    "StatusEntry",
]
