from io import StringIO

import pytest
from django.core.management import call_command


def new_token(report_slug: str = "pilot", source: str = "egress-monitor") -> str:
    """A token as `manage.py warning_sign_token` prints it."""
    out = StringIO()
    call_command("warning_sign_token", "--report", report_slug, "--source", source, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def token(world) -> str:
    return new_token()
