"""The pages that show a resident's own appeal (the code after filing, the tracking page,
the form sent back with what they typed, the kept photos) tell browsers and proxies not to
store them: on a shared phone or a family computer, Back or the cache must not show the next
person someone else's appeal and phone number."""


def not_stored(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_the_page_after_filing_is_not_stored(client, form_data):
    filed = client.post("/appeals/new/", form_data)
    page = client.get(filed.url)
    assert page.status_code == 200
    assert not_stored(page)


def test_the_tracking_page_is_not_stored(client, new_appeal):
    appeal = new_appeal()
    page = client.get(f"/appeals/track/{appeal.display_code}/")
    assert page.status_code == 200
    assert not_stored(page)


def test_the_form_sent_back_with_the_residents_typing_is_not_stored(client, form_data):
    page = client.post("/appeals/new/", {**form_data, "title": ""})
    assert page.status_code == 200 and form_data["contact_phone"] in page.content.decode()
    assert not_stored(page)
