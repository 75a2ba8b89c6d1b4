"""Receipts: a service subclass, with the client inherited from the base class."""

from ..sendgrid_client import SendGridService


class ReceiptMailer(SendGridService):
    def send_receipt(self, message):
        return self.client.send(message)

    def receipt_template(self, template_id):
        return self.http.templates._(template_id).get()
