"""Steps the sign-off tests share: the dashboard's page and the sign-off form's posts."""

from django.urls import reverse

from tests.helpers import HTMX


def main_of(body: str) -> str:
    return body[body.index("<main") : body.index("</main>")]


def dashboard(client):
    response = client.get(reverse("signoff_dashboard", args=["pilot"]))
    assert response.status_code == 200
    return response.content.decode()


def sign(client, step="", htmx=False, **fields):
    data = {"decision": "approve", "note": "", "step": step, **fields}
    return client.post(reverse("signoff_record", args=["pilot"]), data, **(HTMX if htmx else {}))
