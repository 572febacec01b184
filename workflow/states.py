"""States of an application, with the labels users read and who acts in each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Registered, completeness check")
    NEEDS_INFO = "needs_info", _("Information requested from the applicant")
    UNDER_REVIEW = "under_review", _("Technical conditions and offer being prepared")
    OFFER_ISSUED = "offer_issued", _("Offer issued, awaiting payment")
    CONTRACT_ACTIVE = "contract_active", _("Contract in force, connection works")
    READY_FOR_CHECK = "ready_for_check", _("Applicant ready, check of technical conditions")
    CONNECTED = "connected", _("Connected, final documents")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")
    ANNULLED = "annulled", _("Annulled")
    REJECTED = "rejected", _("Rejected")


FINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN, State.ANNULLED, State.REJECTED})
