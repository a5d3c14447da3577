"""The browser tests' retrying waits, on a stand-in driver (no browser needed): a lost key
press is typed again instead of waiting out the whole wait, and a wait that fails says what it
waited for and what the page showed."""

import pytest

pytest.importorskip("selenium.webdriver")

from tests.e2e import helpers as h  # noqa: E402


class StandInDriver:
    """Enough of a WebDriver for the helpers: no elements on the page, so no run in progress."""

    def find_elements(self, *_):
        return []


def test_retry_acts_again_when_the_first_act_is_lost():
    driver = StandInDriver()
    acts = []

    def act():
        acts.append(len(acts) + 1)

    # the first key press is lost (nothing changes); the second one is taken
    h.retry(driver, h.waiter(driver, 1), act, lambda d: len(acts) >= 2, "a value", seconds=0.3)
    assert acts == [1, 2]


def test_retry_fails_naming_what_it_waited_for():
    driver = StandInDriver()
    acts = []
    with pytest.raises(AssertionError, match=r"3 attempts .* for select box 'Genre A'"):
        h.retry(
            driver,
            h.waiter(driver, 1),
            lambda: acts.append(1),
            lambda d: False,
            "select box 'Genre A'",
            seconds=0.2,
        )
    assert len(acts) == 3


def test_until_fails_with_the_page_state():
    driver = StandInDriver()
    with pytest.raises(AssertionError, match=r"waited 0 s for a heading.*script idle"):
        h.until(driver, h.waiter(driver, 0.2), lambda d: False, "a heading")
