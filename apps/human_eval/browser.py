"""A headless Chromium driven by Selenium, for the browser test and the screenshots.

Debian's `chromium` and `chromium-driver` (apt-get; `make setup` installs them as root): a
browser that Selenium or Playwright would download cannot be fetched on offline machines, so
both paths are given and Selenium's own driver manager is told to stay offline. The flags keep
Chromium from reaching for hosts it cannot reach (updates, sync, QUIC probes).
"""

import os
import shutil
import tempfile

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=900,760")


def missing_browser():
    """None when Chromium and its driver are installed, else what to install."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    return (None if not missing else
            f"{' and '.join(missing)} missing: sudo apt-get install chromium chromium-driver")


class HeadlessChromium:
    """One browser with its own profile (its own cookies: one rater), closed on exit."""

    def __enter__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_OFFLINE", "true")
        self.profile = tempfile.mkdtemp(prefix="keras_gen_chromium_")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS + (f"--user-data-dir={self.profile}",):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)
        return self.driver

    def __exit__(self, *exc_info):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


def shown_trial(browser):
    """The trial id on the page, "done" on the last page, None elsewhere."""
    from selenium.webdriver.common.by import By

    fields = browser.find_elements(By.NAME, "trial_id")
    if fields:
        return fields[0].get_attribute("value")
    return "done" if browser.find_elements(By.ID, "done") else None


def wait_for_next_trial(browser, previous):
    """After a click, waits until the page shows a trial other than `previous` (or the end).

    Polls the page rather than waiting for the old element to go stale: during a navigation
    Chromium can answer a question about the old element with an inspector error instead of
    "stale", and any such answer just means "not loaded yet"."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def moved_on(driver):
        current = shown_trial(driver)
        return current is not None and current != previous

    WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(moved_on)
