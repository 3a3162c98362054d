"""Screenshots of each page of a study, for the README: welcome, Turing trial, side by side,
results.

    python -m apps.human_eval.screenshots --study studies/mnist --output docs/human_eval

The study is copied first and the copy is answered by a scripted rater (seeded coin flips), so
the results page has numbers to show; the study itself is never touched.
"""

import argparse
import logging
import os
import random
import shutil
import tempfile
import threading

from apps.cli_types import random_seed
from apps.failures import unwritable_reason
from apps.human_eval.browser import (HeadlessChromium, missing_browser, shown_trial,
                                     wait_for_next_trial)
from apps.human_eval.study import StudyError, open_study

PAGES = ("welcome", "turing", "side_by_side", "results")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m apps.human_eval.screenshots",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--study", required=True, help="a study made by apps.human_eval")
    parser.add_argument("--output", required=True, help="folder for the PNG files")
    parser.add_argument("--seed", type=random_seed, default=0, help="seeds the scripted rater")
    args = parser.parse_args(argv)
    for reason in (missing_browser(), unwritable_reason(args.output)):
        if reason:
            parser.error(reason)
    return parser, args


def answer_on_screen(browser, rng):
    from selenium.webdriver.common.by import By

    trial_id = shown_trial(browser)
    buttons = browser.find_elements(By.CSS_SELECTOR, "button[name=answer]")
    rng.choice(buttons).click()
    wait_for_next_trial(browser, trial_id)


def main(argv=None):
    from werkzeug.serving import make_server
    from selenium.webdriver.common.by import By

    from apps.human_eval.server import create_app

    parser, args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory(prefix="keras_gen_screenshots_") as scratch:
        copy = os.path.join(scratch, "study")
        shutil.copytree(args.study, copy)
        try:
            store = open_study(copy)
        except StudyError as error:
            parser.error(str(error))
        server = make_server("127.0.0.1", 0, create_app(copy, store), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        os.makedirs(args.output, exist_ok=True)
        shots = {}
        rng = random.Random(args.seed)
        try:
            with HeadlessChromium() as browser:
                browser.get(url + "/")
                shots["welcome"] = browser.get_screenshot_as_png()
                browser.find_element(By.ID, "name").send_keys("scripted rater")
                browser.find_element(By.ID, "start").click()
                wait_for_next_trial(browser, None)
                while browser.find_elements(By.NAME, "trial_id"):
                    task = "turing" if browser.find_elements(By.ID, "image") else "side_by_side"
                    shots.setdefault(task, browser.get_screenshot_as_png())
                    answer_on_screen(browser, rng)
                browser.set_window_size(900, 1250)  # the three tables, whole
                browser.get(url + "/results")
                shots["results"] = browser.get_screenshot_as_png()
        finally:
            server.shutdown()
    for name in PAGES:
        path = os.path.join(args.output, f"{name}.png")
        with open(path, "wb") as handle:
            handle.write(shots[name])
        print(f"Wrote {path}")


if __name__ == "__main__":
    main()
