"""How much the SGS plugin adds to flake8: a whole tree, and one file as an editor checks it.

    python benchmarks/flake8_overhead.py TREE [--runs 7] [--jobs N] [--add-sendgrid N]

Tree: `flake8 TREE` with and without the plugin, in the same run, interleaved (the order
alternates each round so neither side always runs warm), whole-process wall time, medians of
`--runs` rounds; prints the ratio (issue 7's goal: <= 1.03). `--add-sendgrid N` runs over a
temporary copy of TREE with N SendGrid modules added (the demo app's), so the plugin has work.

Editor: for one file without SendGrid code and one with it (`--plain-file`, `--sendgrid-file`;
defaults: generated 240-line files), the time the plugin adds to a
fresh flake8 process: importing the plugin module and checking the file, with libcst's import
and the rules' loading included (goals: < 1 ms, <= 250 ms for a 240-line file).

Both sides run the same Python and flake8; the plugin is taken out of or put into flake8's
plugin list by this script (first argument `--flake8 with|without`, used internally), so the
comparison does not depend on whether sg-scope-lint is installed. No corpus is committed: pass
any tree.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-app" / "newsletter"
ENTRY = "sg_scope_lint.flake8_plugin:Plugin"


# ------------------------------------------------------------------------ child processes


def run_flake8(with_plugin: bool, argv: list[str]) -> int:
    """flake8's own `main`, with SGS removed from (or added to) the plugins it finds."""
    import importlib.metadata

    sys.path.insert(0, str(REPO))  # this checkout's sg_scope_lint, on both sides alike
    from flake8.main.cli import main
    from flake8.plugins import finder

    original = finder.find_plugins

    def find_plugins(cfg, opts):  # type: ignore[no-untyped-def]
        plugins = [p for p in original(cfg, opts) if p.entry_point.name != "SGS"]
        if with_plugin:
            entry = importlib.metadata.EntryPoint("SGS", ENTRY, "flake8.extension")
            plugins = sorted([*plugins, finder.Plugin("sg-scope-lint", "bench", entry)])
        return plugins

    finder.find_plugins = find_plugins
    return main(argv)


# flake8 has imported these by the time it loads plugins; the probe imports them before timing
# so only what the plugin adds is measured.
EDITOR_PROBE = """\
import sys, time
import flake8.checker, flake8.main.application, flake8.plugins.finder, flake8.processor
path = sys.argv[1]
with open(path, encoding="utf-8") as stream:
    lines = stream.readlines()
import ast
tree = ast.parse("".join(lines))
start = time.perf_counter()
from sg_scope_lint.flake8_plugin import Plugin
list(Plugin(tree, path, lines).run())
print(time.perf_counter() - start)
"""


# ------------------------------------------------------------------------------- the parent


def child_env() -> dict[str, str]:
    """This checkout on the path; bytecode caching on, as in an installed package (without
    it every run recompiles the plugin's modules, which costs more than the plugin itself)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


def timed(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, flake8's worker processes included).

    CPU time is the steadier figure on a shared machine: other load stretches wall time.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=child_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved(a: Sequence[str], b: Sequence[str], runs: int,
                cwd: Path) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) of `a` and of `b`, alternating which goes first in each round."""
    times_a: list[tuple[float, float]] = []
    times_b: list[tuple[float, float]] = []
    timed(a, cwd), timed(b, cwd)  # warm-up, not counted: bytecode caches, the OS file cache
    for round_number in range(runs):
        if round_number % 2:
            times_b.append(timed(b, cwd))
            times_a.append(timed(a, cwd))
        else:
            times_a.append(timed(a, cwd))
            times_b.append(timed(b, cwd))
    return _medians(times_a), _medians(times_b)


def _medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(wall for wall, _ in samples),
            statistics.median(cpu for _, cpu in samples))


def editor_cost(path: Path, runs: int) -> float:
    """Median seconds the plugin adds to checking `path` in a fresh process."""
    samples = []
    for _ in range(runs + 1):
        done = subprocess.run([sys.executable, "-c", EDITOR_PROBE, str(path)], env=child_env(),
                              capture_output=True, text=True, check=True)
        samples.append(float(done.stdout.strip()))
    return statistics.median(samples[1:])  # the first run writes bytecode caches


def with_sendgrid_files(tree: Path, count: int, work: Path) -> Path:
    """A copy of `tree` with `count` SendGrid modules (the demo app's, renamed) added."""
    copy = work / "tree"
    shutil.copytree(tree, copy, symlinks=True)
    modules = sorted(DEMO.glob("[!_]*.py"))
    for index in range(count):
        source = modules[index % len(modules)]
        (copy / f"sendgrid_bench_{index}_{source.name}").write_bytes(source.read_bytes())
    return copy


CALLS = (
    "sg.client.templates._(template_id).get()",
    "sg.send(Mail(from_email='news@example.com', to_emails=address))",
    "sg.client.asm.groups._(group_id).suppressions.post(request_body={'emails': [address]})",
    "sg.client.suppression.bounces.get(query_params={'limit': 100})",
    "sg.client.marketing.lists.get()",
    "sg.client.templates._(template_id).versions.post(request_body={'name': address})",
)


def sendgrid_module(lines: int) -> str:
    """A module of `lines` lines whose functions each make one SendGrid call, in several styles."""
    out = ["import os", "", "import sendgrid", "from sendgrid.helpers.mail import Mail", "",
           "sg = sendgrid.SendGridAPIClient(os.environ['SENDGRID_API_KEY'])"]
    index = 0
    while len(out) + 7 <= lines:
        out += ["", "", f"def task_{index}(address, template_id, group_id):",
                f'    """Task {index}: one SendGrid call, then a check of its status."""',
                f"    response = {CALLS[index % len(CALLS)]}",
                "    if response.status_code >= 400:",
                "        raise RuntimeError(response.body)"]
        index += 1
    out += [""] * (lines - len(out))
    return "\n".join(out) + "\n"


def count_files(tree: Path) -> tuple[int, int]:
    files = [p for p in tree.rglob("*.py") if p.is_file()]
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    return len(files), lines


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--flake8"]:  # a child: `--flake8 with|without FLAKE8-ARGS...`
        return run_flake8(argv[1] == "with", argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, nargs="?", help="folder to run flake8 over")
    parser.add_argument("--runs", type=int, default=7, help="rounds per measurement (>= 5)")
    parser.add_argument("--jobs", default="auto", help="flake8 --jobs (default: auto)")
    parser.add_argument("--add-sendgrid", type=int, default=0, metavar="N",
                        help="add N SendGrid modules to a temporary copy of the tree")
    parser.add_argument("--plain-file", type=Path, default=None)
    parser.add_argument("--sendgrid-file", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    with tempfile.TemporaryDirectory() as work:
        if args.tree is not None:
            tree = args.tree.resolve()
            if args.add_sendgrid:
                tree = with_sendgrid_files(tree, args.add_sendgrid, Path(work))
            files, lines = count_files(tree)
            base = [sys.executable, str(Path(__file__).resolve())]
            flake8_args = ["--exit-zero", "--jobs", args.jobs, "--isolated", str(tree)]
            without, with_ = interleaved([*base, "--flake8", "without", *flake8_args],
                                         [*base, "--flake8", "with", *flake8_args],
                                         args.runs, Path(work))
            print(f"tree: {files} files, {lines} lines, {args.add_sendgrid} SendGrid modules "
                  f"added; flake8 --jobs {args.jobs}; medians of {args.runs}")
            print(f"  flake8 without the plugin: {without[0]:8.3f} s wall {without[1]:8.3f} s CPU")
            print(f"  flake8 with the plugin:    {with_[0]:8.3f} s wall {with_[1]:8.3f} s CPU")
            print(f"  ratio: {with_[0] / without[0]:.3f} wall, {with_[1] / without[1]:.3f} CPU "
                  f"(goal <= 1.03)")
        plain = args.plain_file
        if plain is None:
            plain = Path(work) / "plain.py"
            plain.write_text("import os\n\n\ndef main():\n    return os.sep\n" * 48)
        with_sendgrid = args.sendgrid_file
        if with_sendgrid is None:
            with_sendgrid = Path(work) / "uses_sendgrid.py"
            with_sendgrid.write_text(sendgrid_module(240))
        for label, path, goal in (("file without SendGrid", plain, "< 1 ms"),
                                  ("file with SendGrid", with_sendgrid, "<= 250 ms")):
            cost = editor_cost(path, args.runs)
            size = path.read_bytes().count(b"\n")
            print(f"editor, {label} ({size} lines): plugin adds {cost * 1000:.2f} ms "
                  f"(goal {goal}, import included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
