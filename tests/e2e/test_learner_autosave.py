"""A learner's self-ratings are saved as they are chosen (no button), and a high
unverified rating asks for a knowledge check, in Chromium."""

import pytest

from tests.fixtures.web import browser_sign_in, shot

pytestmark = pytest.mark.e2e


def test_ratings_survive_a_reload_and_high_ones_ask_for_a_check(page):
    browser_sign_in(page, "other_learner")
    page.goto("/assess/")
    first = page.locator("fieldset.skillset").nth(0)
    second = page.locator("fieldset.skillset").nth(1)
    skill = first.get_attribute("id").removeprefix("skill-")
    first.locator(".levelcard", has_text="4 · expert").click()
    second.locator(".levelcard", has_text="1 · aware").click()
    first.locator('.save-state[data-state="saved"]').wait_for()
    second.locator('.save-state[data-state="saved"]').wait_for()
    assert "Saved" in first.locator(".save-state").inner_text()
    assert first.locator(".verify").is_visible()  # expert, with nothing to back it
    assert not second.locator(".verify").is_visible()
    assert page.locator("#save-all").inner_text() == "All ratings saved"
    shot(page, "assess-autosave", full_page=False)

    page.reload()  # nothing clicked but the cards: both ratings are still there
    assert page.locator(f"#skill-{skill.replace('.', chr(92) + '.')} input[value='4']").is_checked()
    assert second.locator("input[value='1']").is_checked()
    assert page.locator("#rated").inner_text() == "2"
    prompt = page.locator("#verify-list")
    assert "verify with a knowledge check" in prompt.inner_text()
    prompt.get_by_role("link", name="verify with a knowledge check").first.click()
    page.wait_for_url(f"**/assess/check/{skill}")
    page.get_by_role("button", name="Start the check").wait_for()
