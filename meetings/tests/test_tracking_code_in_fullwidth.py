"""A Chinese keyboard types a code in fullwidth letters and digits (３ＤＱＰ－７Ｄ６Ｄ): it is the
same code, for the resident's tracking look-up and for staff who search or link by it."""

import pytest

from meetings.tracking import format_code, normalize_code


def test_a_code_typed_in_fullwidth_is_the_code():
    assert normalize_code("３ｄｑｐ－７Ｄ６Ｄ") == "3DQP7D6D"
    assert normalize_code("３ＤＱＰ　７Ｄ６Ｄ") == "3DQP7D6D"  # an ideographic space


@pytest.mark.django_db
def test_the_tracking_page_finds_an_appeal_by_its_fullwidth_code(client, new_appeal):
    appeal = new_appeal()
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in format_code(appeal.code))
    response = client.get("/appeals/track/", {"code": fullwidth})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/appeals/track/{format_code(appeal.code)}/")
