"""Receives a client from its caller and never names the library itself."""


def forget(client, email):
    client.client.asm.suppressions._("global").post(request_body={"recipient_emails": [email]})
