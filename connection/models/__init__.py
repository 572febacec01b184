"""Models of the connection domain, one module per concept."""

from connection.models.applicants import Applicant, ApplicantType
from connection.models.assets import AssetCapacity, AssetKind, AssetSource, GridAsset, Reservation
from connection.models.branches import Branch, Territory
from connection.models.documents import Document, DocumentType, DocumentVersion
from connection.models.load_calculations import LoadCalculation
from connection.models.messages import Message, MessageAttachment, Side
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
from connection.models.tariffs import ApplicantGroup, Tariff  # --- fee
from connection.models.technical_conditions import TechnicalConditions

__all__ = [
    "Applicant",
    "ApplicantGroup",  # --- fee
    "ApplicantType",
    "AssetCapacity",
    "AssetKind",
    "AssetSource",
    "Branch",
    "CommissioningStage",
    "ConnectionRequest",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "GridAsset",
    "LoadCalculation",
    "LoadCharacter",
    "Message",
    "MessageAttachment",
    "PaymentOption",
    "ReliabilityCategory",
    "RequestKind",
    "RequestNumberSequence",
    "Reservation",
    "RoutingMethod",
    "Side",
    "Tariff",  # --- fee
    "TechnicalConditions",
    "Territory",
    "VoltageLevel",
]
