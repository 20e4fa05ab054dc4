"""Guard against a Qt binding that miscounts references to None/True/False.

PySide6 6.12.0 drops one reference to None on every call of a method returning void; on
CPython 3.11 (where None is not immortal) a long-running board then aborts. This test fails on
such a binding, so an upgrade cannot slip it back in.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer


def test_void_qt_calls_keep_none_and_bool_refcounts(qapp: QCoreApplication) -> None:
    timer = QTimer()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(200):
        timer.setSingleShot(True)
        timer.setInterval(10)
        QCoreApplication.sendPostedEvents()
    none_drift = sys.getrefcount(None) - none_before
    true_drift = sys.getrefcount(True) - true_before
    assert none_drift > -50, f"None lost {-none_drift} references"
    assert true_drift > -50, f"True lost {-true_drift} references"
