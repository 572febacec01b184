"""Models of the connection domain, one module per concept."""

from connection.models.applicants import Applicant, ApplicantType
from connection.models.documents import Document, DocumentType, DocumentVersion
from connection.models.figures import DailyFlow, StepExit
from connection.models.load_calculations import LoadCalculation
from connection.models.messages import Message, MessageAttachment, Side
from connection.models.payments import BankStatement, Invoice, Requisites, StatementLine
from connection.models.requests import (
    CommissioningStage,
    ConnectionRequest,
    LoadCharacter,
    PaymentOption,
    ReliabilityCategory,
    RequestKind,
    RequestNumberSequence,
    VoltageLevel,
)
from connection.models.reservations import Reservation
from connection.models.tariffs import ApplicantGroup, Tariff
from connection.models.technical_conditions import TechnicalConditions

__all__ = [
    "Applicant",
    "ApplicantGroup",
    "ApplicantType",
    "BankStatement",
    "CommissioningStage",
    "ConnectionRequest",
    "DailyFlow",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "Invoice",
    "LoadCalculation",
    "LoadCharacter",
    "Message",
    "MessageAttachment",
    "PaymentOption",
    "ReliabilityCategory",
    "RequestKind",
    "RequestNumberSequence",
    "Requisites",
    "Reservation",
    "Side",
    "StatementLine",
    "StepExit",
    "Tariff",
    "TechnicalConditions",
    "VoltageLevel",
]
