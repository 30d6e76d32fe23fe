import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The world fixture makes four users; PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def examples(db) -> dict:
    """The example analyte catalogue, by short name."""
    from inspections.services import analyte_seed_examples

    by_name = {analyte.name: analyte for analyte in analyte_seed_examples()}
    return {
        "enzyme": by_name["有机磷和氨基甲酸酯类农药（酶抑制率）"],
        "dichlorvos": by_name["敌敌畏"],
        "carbofuran": by_name["克百威"],
        "lead": by_name["铅（以 Pb 计）"],
        "appearance": by_name["感官（外观）"],
    }
