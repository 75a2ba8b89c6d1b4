"""Module constants across modules: which files a scan reads, and how often.

The findings themselves are checked by the `constants_across_modules` project fixture; this
checks the cost side. A Django-style project imports its settings everywhere, so the strings a
settings module binds must reach only the modules whose SendGrid requests asked for them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sg_scope_lint import engine
from sg_scope_lint.rules import RuleSet

PROJECT = Path(__file__).parent / "fixtures" / "projects" / "constants_across_modules"


def test_only_the_asking_and_the_asked_modules_are_read_again(
        ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    paths = sorted(p.relative_to(PROJECT) for p in PROJECT.rglob("*.py"))
    analysed: Counter[str] = Counter()
    analyse = engine.analyse

    def counting(data: bytes, path: str, *rest: object, **options: object) -> object:
        analysed[path] += 1
        return analyse(data, path, *rest, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "analyse", counting)
    stats = engine.scan_files(paths, ruleset, jobs=1).stats
    # Analysed again in later rounds, each file is parsed once: its tree is kept.
    assert (stats.parsed, stats.most_parses) == (len(analysed), 1)
    assert stats.analyses == sum(analysed.values())
    assert analysed == {
        # round 1: every file that mentions SendGrid
        "app/__init__.py": 1,
        "app/views.py": 1,  # its only request goes elsewhere: it asks for nothing
        # asks for settings' names (round 1), gets most (3) and the re-exported one (5)
        "app/mail.py": 3,
        # asked (2), asks app/defaults.py in turn and gets its answer (4)
        "app/settings.py": 3,
        "app/defaults.py": 1,  # asked (3); it does not mention SendGrid
        "src/services/notify.py": 2,
        "src/config/urls.py": 1,
        # binds SendGrid's SMTP relay (round 1, exported); asked for the other server's name
        "app/mailservers.py": 3,
        # imports the relay's module (round 2); its other SMTP host is asked for and answered
        "app/relay.py": 3,
    }
    assert "app/forms.py" not in analysed  # imports the settings, sends nothing


def test_a_star_export_also_said_to_be_unbound_does_not_stop_the_analysis() -> None:
    """Facts from different rounds may disagree; the module is still analysed, not crashed."""
    import libcst as cst

    from sg_scope_lint.analysis.callsites import analyse_module
    from sg_scope_lint.analysis.symbols import ProjectFacts, Str

    source = b"from app.base import *\nimport smtplib\nsmtplib.SMTP(MAIL_SERVER)\n"
    facts = ProjectFacts(exports={"app.base.MAIL_SERVER": Str(("smtp.sendgrid.net",))},
                         unbound=frozenset({"app.base.MAIL_SERVER"}))
    analysis = analyse_module(cst.parse_module(source), "app/settings.py", "app.settings", False,
                              facts, source)
    assert "app.settings.MAIL_SERVER" not in analysis.exports
