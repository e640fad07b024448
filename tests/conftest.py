"""Fixtures shared by every test folder, and how the suite is spread over pytest-xdist's workers."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

pytest_plugins = ["tests.fake_comfyui.fixtures"]

BROWSER_TESTS = "tests/e2e/"


class BrowserModulesTogether(LoadScopeScheduling):
    """Each browser module's tests go to one worker, where they share the module's app server
    (started once); every other test goes alone to whichever worker is free. The modules, the
    biggest work units, are handed out first, so that no long one is left for the end."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return path if path.startswith(BROWSER_TESTS) else nodeid


@pytest.hookimpl(optionalhook=True)  # known only where xdist is loaded (not with -p no:xdist)
def pytest_xdist_make_scheduler(config: Any, log: Any) -> BrowserModulesTogether:
    """The scheduler of ``pytest -n``. (xdist's ``--dist loadgroup`` cannot group by module here:
    its group marks no longer reach the test ids under pytest 9.)"""
    return BrowserModulesTogether(config, log)
