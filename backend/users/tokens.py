"""One-time links e-mailed to account owners: confirming the address, lifting a login lock. Each
kind has its own salt, so a link of one kind is never accepted as another (or as a password reset)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "backend.users.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp) -> str:
        # Used once: confirming changes `awaiting_confirmation`; a new registration changes the password.
        return f"{user.pk}{user.password}{user.awaiting_confirmation}{timestamp}{user.email}"


class UnlockTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "backend.users.tokens.UnlockTokenGenerator"

    def _make_hash_value(self, user, timestamp) -> str:
        # Valid for the lock it was sent for only.
        locked_until = user.login_locked_until.timestamp() if user.login_locked_until else ""
        return f"{user.pk}{user.password}{locked_until}{timestamp}"


activation_tokens = ActivationTokenGenerator()
unlock_tokens = UnlockTokenGenerator()
