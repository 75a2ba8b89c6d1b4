"""sg-scope-lint: which SendGrid API-key scopes does this Python code need, and where?"""

from __future__ import annotations

__version__ = "0.1.0"
