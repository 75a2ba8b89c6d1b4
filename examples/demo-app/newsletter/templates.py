"""Keep the newsletter's templates in sync with the copies in the repository."""

import sendgrid.sendgrid

api = sendgrid.sendgrid.SendGridAPIClient()
templates = api.client.templates


def list_templates():
    return templates.get(query_params={"generations": "dynamic", "page_size": 50})


def publish(template_id: str, html: str, subject: str):
    body = {"name": "newsletter", "html_content": html, "subject": subject, "active": 1}
    return templates._(template_id).versions.post(request_body=body)


def activate(template_id: str, version_id: str):
    return api.client._(f"/templates/{template_id}/versions/{version_id}/activate").post()
