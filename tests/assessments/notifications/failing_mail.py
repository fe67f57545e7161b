"""An e-mail backend whose server is down, to test retries."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
