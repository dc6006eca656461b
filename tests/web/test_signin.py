"""Sign-in by e-mail link (SPEC §9): the link, the code, the limits, the sessions."""

from __future__ import annotations


def test_a_student_signs_in_from_the_mailed_link_and_sees_their_page(portal):
    browser = portal.browser()
    response = browser.sign_in(portal, "ada.jansen@EXAMPLE.org")
    assert response.status_code == 303 and response.headers["Location"] == "/me"
    page = browser.get("/me")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Ada Jansen" in text and "Signed in as Ada Jansen" in text
