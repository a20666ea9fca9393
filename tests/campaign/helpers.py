"""Campaign tests' shared names: the careless driver, the shipped one, the fault API's
presence. (Not a conftest.py: ``from conftest import`` elsewhere must find tests/'s.)"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CARELESS = ("sh", str(HERE / "drivers" / "careless.sh"))
SHIPPED = ("sh", str(REPO / "drivers" / "svm-online-backup.sh"), "d1", "d3", "/home1")


def faults_api() -> bool:
    try:
        import simulator.faults  # noqa: F401
    except ImportError:
        return False
    return True
