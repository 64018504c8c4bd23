"""Commands that do not plot must not pay for matplotlib at start-up (about a second of a
whole-process run on the 2-core machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meshwright import cli

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop"

PROBE = """
import json, sys
from meshwright.cli import main
sys.argv = ["meshwright", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = [m for m in ("matplotlib",) if m in sys.modules]
print("HEAVY=" + json.dumps(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", str(SHOP)],
        ["check", str(SHOP)],
        ["analyze", str(SHOP)],
        ["emit", "kubernetes", str(SHOP), "-o", "{tmp}"],
        ["--help"],
    ],
    ids=["validate", "check", "analyze", "emit", "help"],
)
def test_command_does_not_import_matplotlib(argv: list[str], tmp_path: Path) -> None:
    args = [a.replace("{tmp}", str(tmp_path / "out")) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("HEAVY="))
    assert json.loads(line.removeprefix("HEAVY=")) == [], proc.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", str(SHOP)],
        ["emit", "kubernetes", str(SHOP), "-o", "{tmp}"],
        ["--help"],
        ["simulate", str(SHOP), "--duration", "10s"],
    ],
    ids=["validate", "emit", "help", "simulate"],
)
def test_command_without_queueing_does_not_import_scipy(argv: list[str], tmp_path: Path) -> None:
    """SciPy costs 0.5–1.8 s to import: only the shaped waits of check's and analyze's
    queueing load it, on first use (``meshwright.analysis`` is lazy). ``simulate`` solves
    the offered rates for its run-size estimate (``simulate.budget``) without it: about a
    second of a user's first run."""
    args = [a.replace("{tmp}", str(tmp_path / "out")) for a in argv]
    probe = PROBE.replace('("matplotlib",)', '("scipy",)')
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=False
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("HEAVY="))
    assert json.loads(line.removeprefix("HEAVY=")) == [], proc.stderr


def test_analysis_package_names_load_on_first_use() -> None:
    import meshwright.analysis as analysis
    from meshwright.analysis.result import analyze

    assert analysis.analyze is analyze
    with pytest.raises(AttributeError):
        _ = analysis.no_such_name  # type: ignore[attr-defined]


def test_check_and_simulate_packages_load_their_engines_on_first_use() -> None:
    """`meshwright.check` and `meshwright.simulate` are imported by the command line at
    start-up; their names resolve lazily to the same objects as the defining modules."""
    code = (
        "import sys, meshwright.check, meshwright.simulate\n"
        "assert 'meshwright.check.engine' not in sys.modules, 'check engine loaded'\n"
        "assert 'meshwright.simulate.engine' not in sys.modules, 'simulator loaded'\n"
        "from meshwright.check import run_check\n"
        "from meshwright.check.engine import run_check as real\n"
        "assert run_check is real\n"
        "from meshwright.simulate import SimOptions\n"
        "from meshwright.simulate.engine import SimOptions as opts\n"
        "assert SimOptions is opts\n"
        "for pkg in (meshwright.check, meshwright.simulate):\n"
        "    try:\n"
        "        pkg.no_such_name\n"
        "    except AttributeError as exc:\n"
        "        assert str(exc) == f\"module '{pkg.__name__}' has no attribute 'no_such_name'\"\n"
        "    else:\n"
        "        raise AssertionError(pkg)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


HELP_ABSENT = (
    "numpy", "scipy", "networkx", "matplotlib", "meshwright.emit", "meshwright.decompose",
    "meshwright.importers", "meshwright.check.engine", "meshwright.analysis.queueing",
    *cli.COMMAND_MODULES,
)


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        (["validate", str(SHOP)],
         ("networkx", "numpy", "scipy", "meshwright.emit", "meshwright.decompose",
          "meshwright.importers", "meshwright.check.engine", "meshwright.analysis.queueing")),
        (["check", str(SHOP)], ("meshwright.decompose", "meshwright.importers", "sklearn")),
        (["analyze", str(SHOP)], ("meshwright.decompose", "meshwright.importers", "sklearn")),
        *(
            (argv, HELP_ABSENT)
            for argv in (["--help"], [], ["--version"], ["chek"])
        ),
    ],
    ids=["validate", "check", "analyze", "help", "no-args", "version", "typo"],
)
def test_command_imports_only_the_module_of_its_command(
    argv: list[str], absent: tuple[str, ...]
) -> None:
    """The command line registers only the feature module of the command it runs
    (declared in the module, read by ``cli.declared_commands``): ``validate`` loads no
    graph, array or generator code; ``--help`` (and a line that names no command) no feature
    module at all."""
    probe = PROBE.replace('("matplotlib",)', repr(absent))
    assert repr(absent) in probe
    proc = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=False
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("HEAVY="))
    assert json.loads(line.removeprefix("HEAVY=")) == [], proc.stderr
