"""Browser tests drive Debian's Chromium (never a downloaded browser) through Playwright.

Without Chromium the tests here are skipped, loudly, by tests/conftest.py; under CI
they fail instead. A failing test leaves a screenshot in test-artifacts/.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{item.name}.png"), full_page=True)


def give_second_factor(page, username):
    """Where the second factor is asked for, give it as its owner would: the code of the
    authenticator being set up (then past the recovery codes), or a recovery code."""
    page.wait_for_load_state()
    if "/accounts/two-factor/" not in page.url:
        return
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.helpers import authenticator_code

    if "/setup/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        page.get_by_label("Code from the app").fill(authenticator_code(device))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="I have kept them: continue").click()
    else:
        device = StaticDevice.objects.get(user__username=username)
        token = StaticToken.objects.create(device=device, token=StaticToken.random_token())
        page.get_by_label("Code").fill(token.token)
        page.get_by_role("button", name="Continue").click()


@pytest.fixture
def login(page, live_server):
    def log_in(username, password="correct-horse-battery"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        give_second_factor(page, username)
        page.wait_for_url(f"{live_server.url}/")

    return log_in
