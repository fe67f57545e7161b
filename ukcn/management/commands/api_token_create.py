"""Issue a personal API token from the command line (e.g. for an integration's service user)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ukcn.api_tokens import api_token_issue


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="refuse the token after this many days (default: never expires)",
        )

    def handle(self, *args, username, name, expires_in_days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user '{username}'.")
        if not name.strip():
            raise CommandError("Give the token a name (--name).")
        if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
            raise CommandError("--expires-in-days must be a whole number from 1 to 3650.")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        token, secret = api_token_issue(
            user=user, name=name, expires_at=expires_at, from_command_line=True
        )
        self.stderr.write(f"Token '{token.name}' for {username}; store it now, it is not kept:")
        self.stdout.write(secret)
