"""Models of the connection domain, one module per concept."""

from connection.models.applicants import Applicant, ApplicantType
from connection.models.branches import Branch, Territory
from connection.models.documents import Document, DocumentType, DocumentVersion
from connection.models.requests import (
    CommissioningStage,
    ConnectionRequest,
    LoadCharacter,
    PaymentOption,
    ReliabilityCategory,
    RequestKind,
    RequestNumberSequence,
    RoutingMethod,
    VoltageLevel,
)

__all__ = [
    "Applicant",
    "ApplicantType",
    "Branch",
    "CommissioningStage",
    "ConnectionRequest",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "LoadCharacter",
    "PaymentOption",
    "ReliabilityCategory",
    "RequestKind",
    "RequestNumberSequence",
    "RoutingMethod",
    "Territory",
    "VoltageLevel",
]
