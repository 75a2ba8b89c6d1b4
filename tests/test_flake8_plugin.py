"""The plugin through real flake8: `python -m flake8` in a subprocess, on files in tmp_path.

When the package is installed, flake8 finds the plugin through its `flake8.extension` entry
point; otherwise (a checkout used without installing) the config file registers it as a local
plugin. Never both: flake8 would run it twice. PYTHONPATH points at this checkout either way,
so the code under test is this checkout's.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
INSTALLED = any(ep.name == "SGS"
                for ep in importlib.metadata.entry_points(group="flake8.extension"))
LOCAL_PLUGIN = f"""
[flake8:local-plugins]
extension =
    SGS = sg_scope_lint.flake8_plugin:Plugin
paths = {REPO}
"""
FORMAT = "--format=%(row)d:%(col)d: %(code)s %(text)s"

APP = """\
import sendgrid

sg = sendgrid.SendGridAPIClient()


def notify(name, template_id, message):
    sg.send(message)
    getattr(sg.client, name).get()
    sg.client.no_such_thing.get()
    return sg.client.templates._(template_id).get()
"""
DONE_WHEN = [
    "8:5: SGS101 cannot resolve SendGrid call `getattr(sg.client, name).get`: the attribute name "
    "is computed at run time (getattr); declare its scopes with `# sg-scope:`",
    "9:5: SGS102 `GET /v3/no_such_thing` is not covered by any rule",
    "10:12: SGS201 `GET /v3/templates/{template_id}` needs `templates.read`, not in "
    "sendgrid-key.yaml",
]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def configure(project: Path, settings: str = "", name: str = "setup.cfg") -> None:
    """Write flake8's config: `settings` under [flake8], and the plugin if it is not installed."""
    write(project / name, f"[flake8]\n{settings}\n" + ("" if INSTALLED else LOCAL_PLUGIN))


def run_python(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def flake8(project: Path, *args: str) -> tuple[int, list[str]]:
    done = run_python(project, "-m", "flake8", "--select", "SGS", FORMAT, *args)
    assert not done.stderr.strip() or done.returncode, done.stderr
    return done.returncode, done.stdout.splitlines()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "app.py", APP)
    write(tmp_path / "sendgrid-key.yaml", "scopes: [mail.send]\n")
    return tmp_path


def test_reports_exactly_the_three_findings_with_code_and_position(project: Path) -> None:
    configure(project, "sg-key-config = sendgrid-key.yaml")
    assert flake8(project, "app.py") == (1, DONE_WHEN)


def test_noqa_silences_one_finding(project: Path) -> None:
    configure(project, "sg-key-config = sendgrid-key.yaml")
    source = APP.replace("no_such_thing.get()", "no_such_thing.get()  # noqa: SGS102")
    write(project / "app.py", source)
    assert flake8(project, "app.py") == (1, [DONE_WHEN[0], DONE_WHEN[2]])


@pytest.mark.parametrize("name", ["setup.cfg", "tox.ini", ".flake8"])
def test_key_config_from_each_flake8_config_file(project: Path, name: str) -> None:
    configure(project, "sg-key-config = sendgrid-key.yaml", name=name)
    assert flake8(project, "app.py")[1] == DONE_WHEN


def test_key_config_on_the_command_line(project: Path) -> None:
    configure(project)
    assert flake8(project, "--sg-key-config", "sendgrid-key.yaml", "app.py")[1] == DONE_WHEN


def test_without_a_key_config_scopes_are_not_checked(project: Path) -> None:
    configure(project)
    assert flake8(project, "app.py")[1] == DONE_WHEN[:2]


def test_pyproject_table_is_the_fallback(project: Path) -> None:
    configure(project)
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nkey-config = "sendgrid-key.yaml"\n')
    assert flake8(project, "app.py")[1] == DONE_WHEN


def test_flake8_option_wins_over_pyproject(project: Path) -> None:
    write(project / "all.yaml", "scopes: [mail.send, templates.read]\n")
    configure(project, "sg-key-config = all.yaml")
    write(project / "pyproject.toml", '[tool.sg-scope-lint]\nkey-config = "sendgrid-key.yaml"\n')
    assert flake8(project, "app.py")[1] == DONE_WHEN[:2]


def test_extra_rules_cover_an_unknown_endpoint(project: Path) -> None:
    write(project / "extra-rules.yaml", """\
        version: 1
        rules:
          - id: no-such-thing
            method: GET
            path: /v3/no_such_thing
            scopes: [templates.read]
            source: https://example.com/docs
        """)
    configure(project, "sg-rules = extra-rules.yaml")
    assert flake8(project, "app.py")[1] == [DONE_WHEN[0]]


def test_annotations_resolve_and_are_checked(project: Path) -> None:
    configure(project, "sg-key-config = sendgrid-key.yaml")
    write(project / "app.py", """\
        import sendgrid

        sg = sendgrid.SendGridAPIClient()


        def notify(name):
            getattr(sg.client, name).post()  # sg-scope: mail.send
            getattr(sg.client, name).get()  # sg-scope: templates.read
            getattr(sg.client, name).put()  # sg-scope: mail.sned
        """)
    assert flake8(project, "app.py")[1] == [
        "8:5: SGS201 `getattr(sg.client, name).get` needs `templates.read`, not in "
        "sendgrid-key.yaml",
        "9:5: SGS101 cannot resolve SendGrid call `getattr(sg.client, name).put`: the attribute "
        "name is computed at run time (getattr); declare its scopes with `# sg-scope:`",
        "9:49: SGS302 `mail.sned` is not a SendGrid scope; did you mean `mail.send`?",
    ]


def test_a_missing_key_config_is_a_clear_failure(project: Path) -> None:
    configure(project, "sg-key-config = nowhere.yaml")
    done = run_python(project, "-m", "flake8", "--select", "SGS", "app.py")
    assert done.returncode == 1
    assert "nowhere.yaml: cannot read file" in done.stdout + done.stderr


IN_PROCESS = """\
import sys
import sg_scope_lint.rules as rules
loads = []
original = rules.load_ruleset
rules.load_ruleset = lambda *a, **k: loads.append(1) or original(*a, **k)
from flake8.main.application import Application
app = Application()
app.run(["--select", "SGS", "-j", "1", *sys.argv[1:]])
print("libcst imported:", "libcst" in sys.modules, "rules loaded:", len(loads))
"""


def test_files_without_sendgrid_never_import_libcst(project: Path) -> None:
    configure(project)
    write(project / "plain.py", "import os\n\nprint(os.sep)\n")
    done = run_python(project, "-c", IN_PROCESS, "plain.py")
    assert done.stdout.splitlines()[-1] == "libcst imported: False rules loaded: 0"


def test_rules_are_loaded_once_per_process(project: Path) -> None:
    configure(project, "sg-key-config = sendgrid-key.yaml")
    for name in ("b.py", "c.py"):
        write(project / name, APP)
    done = run_python(project, "-c", IN_PROCESS, "app.py", "b.py", "c.py")
    lines = done.stdout.splitlines()
    assert lines[-1] == "libcst imported: True rules loaded: 1"
    assert sum("SGS201" in line for line in lines) == 3
