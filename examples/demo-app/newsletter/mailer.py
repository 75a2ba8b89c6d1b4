"""Transactional mail: welcome messages rendered from a dynamic template."""

import os

from sendgrid import SendGridAPIClient as Client
from sendgrid.helpers.mail import Mail

WELCOME_TEMPLATE = "d-0a1b2c3d4e5f"

client = Client(os.environ["SENDGRID_API_KEY"])


def send_welcome(address: str, name: str) -> int:
    message = Mail(from_email="hello@example.com", to_emails=address)
    message.template_id = WELCOME_TEMPLATE
    message.dynamic_template_data = {"name": name}
    response = client.send(message)
    return response.status_code


def welcome_template_versions() -> list:
    template = client.client.templates._(WELCOME_TEMPLATE).get()
    return template.to_dict["versions"]
