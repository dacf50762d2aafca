"""The domain is usable in the Django admin by staff."""

import pytest
from django.contrib import admin

from tests.factories import UserFactory


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in {"pathways", "evidence"}],
    ids=lambda m: m.__name__,
)
def test_staff_can_list_and_open_every_domain_model(client, world, model):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    opts = model._meta
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/").status_code == 200
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/").status_code == 200
    instance = model.objects.first()
    if instance is not None:
        assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/{instance.pk}/change/").status_code == 200
