"""Reading an answer as a client written against GeoReport v2 would: an error list is a JSON
list of {code, description} or <errors><error><code/><description/></error></errors>."""

import json
from xml.etree import ElementTree


def error_list(response) -> list[tuple[int, str]]:
    """The (code, description) pairs of a spec error list, in the format the response says
    it is in; fails the test when the body is not one."""
    media_type = response["Content-Type"].split(";")[0].strip()
    if media_type == "application/json":
        body = json.loads(response.content)
        assert isinstance(body, list) and body, body
        for error in body:
            assert set(error) == {"code", "description"}, error
        return [(error["code"], error["description"]) for error in body]
    assert media_type == "text/xml", media_type
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors" and len(root), response.content
    pairs = []
    for error in root:
        assert error.tag == "error" and {c.tag for c in error} == {"code", "description"}
        pairs.append((int(error.findtext("code")), error.findtext("description")))
    return pairs


def refused(response, status: int) -> str:
    """Assert the answer is `status` with a spec error list saying so; its description."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    errors = error_list(response)
    assert all(code == status for code, _ in errors), errors
    assert all(description for _, description in errors), errors
    return errors[0][1]
