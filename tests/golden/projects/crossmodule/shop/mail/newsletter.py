"""The newsletter: the shared marketing client imported from another module."""

from shop.sendgrid_client import marketing
from shop.unsubscribe import forget


def subscribe(email):
    marketing.client.marketing.contacts.put(request_body={"contacts": [{"email": email}]})


def unsubscribe(email):
    forget(marketing, email)
