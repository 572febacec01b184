"""Message threads: an application's thread between its applicant and the branch, and general
questions to the grid organisation routed to a branch by location. The other side hears of a new
message in the app and by e-mail (workflow.notifications.notify, sent after commit)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import upload_checks
from backend.events.models import EventKind
from backend.events.services import record_event
from backend.users.models import User
from backend.users.roles import Role
from connection.exceptions import ApplicationConflict
from connection.models import ConnectionRequest, Message, MessageAttachment, Side
from connection.models.messages import MAX_ATTACHMENTS, MESSAGE_MAX_LENGTH
from grid import territories
from grid.models import Branch
from workflow.machine import is_branch_staff
from workflow.models import Notification
from workflow.notifications import branch_staff, notify
from workflow.states import State

READ_FIELD = {Side.APPLICANT: "read_by_applicant_at", Side.GRID: "read_by_grid_at"}
OTHER_SIDE = {Side.APPLICANT: Side.GRID, Side.GRID: Side.APPLICANT}


def side_of(application: ConnectionRequest, user: User) -> str | None:
    """The side `user` writes for in the thread of `request`, or None when they may only read."""
    if user is None or not user.is_authenticated:
        return None
    if application.owner_id == user.pk:
        return Side.APPLICANT
    if is_branch_staff(application, user):
        return Side.GRID
    return None


def thread(application: ConnectionRequest) -> QuerySet[Message]:
    return (
        Message.objects.filter(request=application)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def unread_filter(side: str, prefix: str = "") -> Q:
    """Messages of the other side not yet read by `side`."""
    return Q(**{f"{prefix}author_side": OTHER_SIDE[side], f"{prefix}{READ_FIELD[side]}__isnull": True})


def unread_count(application: ConnectionRequest, user: User) -> int:
    side = side_of(application, user)
    if side is None:
        return 0
    return Message.objects.filter(unread_filter(side), request=application).count()


def with_unread_for_applicant(queryset: QuerySet[ConnectionRequest]) -> QuerySet[ConnectionRequest]:
    """Annotate `unread_messages`: messages from the grid the applicant has not read."""
    return queryset.annotate(
        unread_messages=Count("messages", filter=unread_filter(Side.APPLICANT, prefix="messages__"))
    )


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ValidationError(_("Write the message."), code="required")})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "text": ValidationError(
                    _("The message is longer than %(limit)s characters.") % {"limit": MESSAGE_MAX_LENGTH},
                    code="max_length",
                )
            }
        )
    return text


def _check_files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, upload_checks.CheckedFile]]:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "files": ValidationError(
                    _("At most %(limit)s files can be attached to a message.") % {"limit": MAX_ATTACHMENTS},
                    code="too_many_files",
                )
            }
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, upload_checks.check_upload(upload)))
        except ValidationError as error:  # the same checks as documents, reported on `files`
            raise ValidationError({"files": error.error_dict.get("file", error.messages)}) from error
    return checked


def _create(
    *,
    author: User,
    side: str,
    text: str,
    files: Sequence[UploadedFile],
    application: ConnectionRequest | None = None,
    branch: Branch | None = None,
    **extra,
) -> Message:
    text = _clean_text(text)
    checked = _check_files(files)
    now = timezone.now()
    message = Message.objects.create(
        request=application,
        branch=branch,
        author=author,
        author_side=side,
        text=text,
        created_at=now,
        **{READ_FIELD[side]: now},  # the author has read their own message
        **extra,
    )
    saved: list[MessageAttachment] = []
    try:
        for upload, info in checked:
            attachment = MessageAttachment(
                message=message,
                original_name=info.name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
            )
            attachment.file.save(info.name, upload, save=False)
            saved.append(attachment)
            attachment.save()
    except (IntegrityError, OSError):
        for attachment in saved:
            attachment.file.delete(save=False)
        raise
    return message


def _excerpt(text: str) -> str:
    return text if len(text) <= 500 else text[:500] + "…"


@transaction.atomic
def post_message(
    *, application: ConnectionRequest, author: User, text: str, files: Sequence[UploadedFile] = ()
) -> Message:
    """Add a message to the thread of `request`, written by its owner (applicant side) or by the
    branch's staff (grid side), and tell the other side."""
    side = side_of(application, author)
    if side is None:
        raise PermissionDenied(_("Only the applicant and the branch's staff write in this thread."))
    if application.state == State.DRAFT:
        raise ApplicationConflict(
            _("Messages can be written once the application is submitted."), code="draft"
        )
    message = _create(
        application=application, branch=application.branch, author=author, side=side, text=text, files=files
    )
    record_event(
        kind=EventKind.MESSAGE_CREATED,
        application=application,
        actor=author,
        payload={
            "message": {
                "id": message.pk,
                "side": side,
                "created_at": message.created_at.isoformat(),
                "attachments": len(files),
            }
        },
    )
    title = application.number or str(application)
    if side == Side.GRID:
        recipients = [application.owner]
    else:
        recipients = [
            user for user in branch_staff(application.branch_id, Role.ENGINEER) if user.pk != author.pk
        ]
    count = len(files)
    notify(
        recipients,
        application=application,
        kind=Notification.Kind.MESSAGE,
        subject=lambda: _("New message on application %(number)s") % {"number": title},
        body=lambda: "\n".join(
            filter(
                None,
                [
                    _excerpt(message.text),
                    _("Attachments: %(count)s.") % {"count": count} if count else "",
                ],
            )
        ),
    )
    return message


@transaction.atomic
def mark_read(*, application: ConnectionRequest, user: User) -> int:
    """Mark every message of the other side as read by the caller's side; returns how many."""
    side = side_of(application, user)
    if side is None:
        return 0
    return Message.objects.filter(unread_filter(side), request=application).update(
        **{READ_FIELD[side]: timezone.now()}
    )


def visible_questions(user: User) -> QuerySet[Message]:
    """General questions: applicants see their own; engineers those of their branches; supervisors
    and administrators all."""
    queryset = Message.objects.filter(request__isnull=True).select_related("author", "branch")
    if not user.is_authenticated:
        return queryset.none()
    if user.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR):
        return queryset
    condition = Q(author=user)
    if user.has_role(Role.ENGINEER):
        condition |= Q(branch_id__in=list(user.branch_ids))
    return queryset.filter(condition)


@transaction.atomic
def post_question(
    *,
    author: User,
    text: str,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    address: str = "",
    files: Sequence[UploadedFile] = (),
) -> Message:
    """A general question not tied to an application, routed to the branch whose territory holds
    the location given, else to the default branch; the branch's engineers are told."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            {"latitude": ValidationError(_("Give both latitude and longitude, or neither."), code="invalid")}
        )
    if latitude is not None:
        branch = territories.route(latitude=latitude, longitude=longitude).branch
    else:
        branch = Branch.objects.filter(is_default=True).first()
        if branch is None:
            raise ValidationError(
                _("No branch serves this location and no default branch is configured."), code="no_branch"
            )
    message = _create(
        branch=branch,
        author=author,
        side=Side.APPLICANT,
        text=text,
        files=files,
        latitude=latitude,
        longitude=longitude,
        address=(address or "").strip()[:500],
    )
    notify(
        [user for user in branch_staff(branch.pk, Role.ENGINEER) if user.pk != author.pk],
        application=None,
        kind=Notification.Kind.MESSAGE,
        subject=lambda: _("New question to %(branch)s") % {"branch": branch.name},
        body=lambda: "\n".join(filter(None, [message.address, _excerpt(message.text)])),
    )
    return message
