"""What the visitor knows about Python libraries that reach SendGrid: names, not endpoints.

Endpoint → scope knowledge lives in `rules/`; this table only says which library objects send
requests and how (sources: sendgrid-python 6.12.5, python-http-client 3.3.7, and each HTTP
library's public API).
"""

from __future__ import annotations

# Top-level packages of the SendGrid library and of the HTTP client under it: a module that
# imports one of them is taken to talk to SendGrid (see `Evaluator.about_sendgrid`).
SENDGRID_LIBRARIES = frozenset({"sendgrid", "python_http_client"})

# The official client class, under every module path it can be imported from (v3–v6).
CLIENT_CLASSES = frozenset({"sendgrid.SendGridAPIClient", "sendgrid.sendgrid.SendGridAPIClient"})

# The v0–v2 client: `SendGridClient(key).send(mail)` posts to the v2 Web API mail endpoint.
LEGACY_CLIENT_CLASSES = frozenset({"sendgrid.SendGridClient", "sendgrid.sendgrid.SendGridClient"})
LEGACY_SEND_PATH = ("api", "mail.send.json")

# Mail-send-only clients from the package index: class -> the methods that send mail.
MAIL_ONLY_CLIENTS = {
    "async_sendgrid.SendgridAPI": frozenset({"send"}),
    "async_sendgrid.sendgrid.SendgridAPI": frozenset({"send"}),
    "aiosendgrid.AsyncSendGridClient": frozenset({"send_mail_v3"}),
    "aiohttp_sendgrid.Sendgrid": frozenset({"send"}),
}

# python_http_client.Client, the fluent client under `SendGridAPIClient.client`.
HTTP_CHAIN_CLASSES = frozenset({"python_http_client.Client", "python_http_client.client.Client"})
# Request functions of python_http_client.Client; any other unknown attribute is a path segment.
VERB_ORDER = ("get", "post", "put", "patch", "delete")  # reading first, as reports list them
VERBS = frozenset(VERB_ORDER)
# Real attributes of python_http_client.Client: reading them never adds a path segment.
HTTP_CLIENT_ATTRIBUTES = frozenset({"host", "request_headers", "append_slash", "timeout", "methods"})

# Plain HTTP: module-level request functions -> method (None: the method is an argument).
HTTP_FUNCTIONS: dict[str, str | None] = {
    **{f"{lib}.{verb}": verb.upper() for lib in ("requests", "requests.api", "httpx")
       for verb in ("get", "post", "put", "patch", "delete")},
    "requests.request": None,
    "requests.api.request": None,
    "httpx.request": None,
    "httpx.stream": None,
}
# Session / client classes whose instances have the same request methods.
HTTP_SESSION_CLASSES = frozenset({
    "requests.Session", "requests.session", "requests.sessions.Session",
    "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession",
    "aiohttp.client.ClientSession",
})
HTTP_SESSION_METHODS: dict[str, str | None] = {
    **{verb: verb.upper() for verb in ("get", "post", "put", "patch", "delete")},
    "request": None,
    "stream": None,
}
URLOPEN_FUNCTIONS = frozenset({"urllib.request.urlopen", "urllib2.urlopen"})
# tornado: `client.fetch(request_or_url, method=..., body=...)`; `HTTPRequest(url, method="GET")`.
TORNADO_CLIENT_CLASSES = frozenset({
    "tornado.httpclient.HTTPClient", "tornado.httpclient.AsyncHTTPClient",
    "tornado.curl_httpclient.CurlAsyncHTTPClient",
    "tornado.simple_httpclient.SimpleAsyncHTTPClient",
})
TORNADO_REQUEST_CLASSES = frozenset({"tornado.httpclient.HTTPRequest"})
URL_REQUEST_CLASSES = frozenset({"urllib.request.Request", "urllib2.Request"})
# sendgrid 7.x (generated): `client.send(Request(method=..., url="/v3/..."))`.
SENDGRID_REQUEST_CLASSES = frozenset({"sendgrid.http.request.Request"})
HTTP_CONNECTION_CLASSES = frozenset({"http.client.HTTPSConnection", "http.client.HTTPConnection"})
# Configuration lookups `f(name, default)`; so is `.get(name, default)` on any object we know
# nothing about (a dict of options, a settings object). A SendGrid API URL as the default is
# taken as the value: the setting exists to point the same requests elsewhere (EU host, a mock).
CONFIG_LOOKUPS = frozenset({"os.getenv", "os.environ.get"})
URLJOIN_FUNCTIONS = frozenset({"urllib.parse.urljoin", "urlparse.urljoin"})

# SendGrid's API hosts (global and EU data residency); paths and scopes are the same on both.
API_HOSTS = ("api.sendgrid.com", "api.eu.sendgrid.com")
# The v2 Web API (`/api/mail.send.json` and its siblings) was also served on the main site's
# host; a URL there is SendGrid's API only under that prefix (elsewhere it is a web page).
LEGACY_WEB_API_HOSTS = ("sendgrid.com", "www.sendgrid.com")
LEGACY_WEB_API_PREFIX = "/api/"
# SMTP relay host: sending through it with an API key as password needs mail.send.
SMTP_HOSTS = ("smtp.sendgrid.net",)
# What opens an SMTP connection, and the position of its host argument (also passed as
# `host=`); Django's `get_connection` takes it as a keyword only, for its SMTP backend.
KEYWORD_ONLY = 1 << 30
SMTP_CONNECTIONS = {
    "smtplib.SMTP": 0,
    "smtplib.SMTP_SSL": 0,
    "django.core.mail.backends.smtp.EmailBackend": 0,
    "django.core.mail.get_connection": KEYWORD_ONLY,
}
DJANGO_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Django email backends that send through SendGrid's v3 mail send endpoint.
DJANGO_BACKENDS = frozenset({
    "sendgrid_backend.SendgridBackend",
    # django-sendgrid-v5 defines the class in sendgrid_backend/mail.py and re-exports it from
    # the package (sklarsa/django-sendgrid-v5, sendgrid_backend/__init__.py at 70df389)
    "sendgrid_backend.mail.SendgridBackend",
    "sgbackend.SendGridBackend",  # sendgrid-django, the older Django backend
    "anymail.backends.sendgrid.EmailBackend",
    "anymail.backends.sendgrid_v2.EmailBackend",
})

# Attributes an API client class keeps its base URL in, by the common spellings: a request
# helper the class inherits from another package (`self.request_api("PUT", path)`) joins the
# path to it.
BASE_URL_ATTRIBUTES = ("base_url", "url_base", "api_url", "api_base", "api_base_url",
                       "BASE_URL", "API_URL", "API_BASE", "API_BASE_URL")
