import pytest
from django.core.management import CommandError, call_command

from meterbill.orgs.models import Organisation


def test_it_refuses_to_flush_a_database_holding_real_data(org):
    with pytest.raises(CommandError, match="not a bench portfolio"):
        call_command("bench", apartments=10, pdf_sample=0)

    assert Organisation.objects.filter(pk=org.pk).exists()
