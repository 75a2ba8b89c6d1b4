"""The client factory and the module-level client the rest of the shop imports."""

import os

from sendgrid import SendGridAPIClient

marketing = SendGridAPIClient(os.environ["SENDGRID_MARKETING_KEY"])


def transactional_client() -> SendGridAPIClient:
    return SendGridAPIClient(os.getenv("SENDGRID_TRANSACTIONAL_KEY"))


class SendGridService:
    def __init__(self):
        self.client = transactional_client()
        self.http = self.client.client
