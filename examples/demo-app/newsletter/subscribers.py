"""Subscribers live in Marketing Campaigns; bounces and unsubscribes are cleaned up nightly."""

import os

from sendgrid import SendGridAPIClient

NEWSLETTER_LIST = "a1b2c3d4-0000-0000-0000-000000000000"


class SubscriberStore:
    def __init__(self, api_key=None):
        self.sendgrid = SendGridAPIClient(api_key or os.environ["SENDGRID_API_KEY"])

    def add(self, email: str, first_name: str):
        contact = {"email": email, "first_name": first_name}
        body = {"list_ids": [NEWSLETTER_LIST], "contacts": [contact]}
        return self.sendgrid.client.marketing.contacts.put(request_body=body)

    def count(self) -> int:
        response = self.sendgrid.client.marketing.lists._(NEWSLETTER_LIST).get()
        return response.to_dict["contact_count"]

    def nightly_cleanup(self, since: int):
        http = self.sendgrid.client
        bounces = http._("suppression/bounces").get(query_params={"start_time": since})
        for bounce in bounces.to_dict:
            http.suppression.bounces._(bounce["email"]).delete()
        return http.suppression.unsubscribes.get(query_params={"start_time": since})
