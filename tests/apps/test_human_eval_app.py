"""`python -m apps.human_eval` as raters meet it: a real server (a subprocess), two real headless
browsers answering a study at once, a restart in the middle, the answers in the SQLite file,
the report; and every bad request refused with a 4xx and nothing stored changed."""

import http.cookiejar
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from apps.human_eval.browser import HeadlessChromium, missing_browser, wait_for_next_trial
from keras_gen.metrics import wilson_interval
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.backend_independent  # the server and its store use no backend

TURING_TRIALS, SIDE_BY_SIDE_TRIALS = 4, 3  # per rater: 2 real, 1 of each model; 3 pairs
TRIALS = TURING_TRIALS + SIDE_BY_SIDE_TRIALS


@pytest.fixture(scope="module")
def fresh_study(tmp_path_factory, trained_vae, trained_dcgan):
    """A study of the two tiny models, made once through the CLI; tests answer copies of it."""
    from tests.conftest import _run_app_in_process

    folder = tmp_path_factory.mktemp("study") / "mnist"
    result = _run_app_in_process("human_eval.__main__", [
        "--models", trained_vae[1], trained_dcgan[1], "--labels", "vae", "dcgan",
        "--study", folder, "--images-per-model", 4, "--turing-trials", TURING_TRIALS,
        "--side-by-side-trials", SIDE_BY_SIDE_TRIALS, "--no-serve"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Study made in" in result.stdout
    return folder


def copy_of(study, tmp_path):
    shutil.copytree(study, tmp_path / "study")
    return tmp_path / "study"


class StudyServer:
    """`python -m apps.human_eval --study S --port P` in its own process."""

    def __init__(self, study, port=0):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "apps.human_eval", "--study", str(study), "--port", str(port)],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # blocks until the server listens (or dies)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.process.kill()
            pytest.fail(f"the server did not start: {line}{self.process.stderr.read()[-3000:]}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.process.stdout.close()
        self.process.stderr.close()


def stored(study, query):
    connection = sqlite3.connect(study / "study.sqlite")
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(query)]
    finally:
        connection.close()


def answer_current_trial(browser, choose):
    """Answers the trial on screen with `choose(task)` -> (answer, confidence or None);
    returns the trial id answered."""
    from selenium.webdriver.common.by import By

    trial_id = browser.find_element(By.NAME, "trial_id").get_attribute("value")
    task = "turing" if browser.find_elements(By.ID, "image") else "side_by_side"
    answer, confidence = choose(task)
    if confidence:
        browser.find_element(By.ID, f"confidence-{confidence}").click()
    browser.find_element(By.ID, f"answer-{answer}").click()
    wait_for_next_trial(browser, trial_id)
    return trial_id


def progress(browser):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, "progress").text


def start_rating(browser, url, name):
    from selenium.webdriver.common.by import By

    browser.get(url + "/")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "start").click()
    wait_for_next_trial(browser, None)


def always_real(task):  # alice: every single image is real; the right-hand image of each pair
    return ("real", None) if task == "turing" else ("right", None)


def always_generated(task):  # bob, sure of himself: nothing is real; always the left image
    return ("generated", 3) if task == "turing" else ("left", 3)


def test_two_raters_in_browsers_answer_a_study_across_a_restart_and_the_report_adds_up(
        fresh_study, tmp_path, run_app):
    from selenium.webdriver.common.by import By

    assert missing_browser() is None, missing_browser()  # make setup installs both

    study = copy_of(fresh_study, tmp_path)
    server = StudyServer(study)
    try:
        with HeadlessChromium() as alice, HeadlessChromium() as bob:
            start_rating(alice, server.url, "alice")
            start_rating(bob, server.url, "bob")
            assert progress(alice) == f"Trial 1 of {TRIALS}" == progress(bob)
            # The page names no source: no label, and the image is an opaque id.
            page = alice.page_source
            assert "vae" not in page and "dcgan" not in page
            assert re.search(r'src="/images/[0-9a-f]{16}\.png"', page)
            shown = alice.find_element(By.ID, "image")
            assert alice.execute_script("return arguments[0].naturalWidth", shown) == 28
            alice.save_screenshot(str(tmp_path / "turing.png"))
            # Interleaved answers: the two sessions never see each other's trials.
            alice_trials = [answer_current_trial(alice, always_real) for _ in range(2)]
            bob_trials = [answer_current_trial(bob, always_generated) for _ in range(TRIALS)]
            assert bob.find_element(By.ID, "done").text == "Thank you"
            assert not set(alice_trials) & set(bob_trials)
            assert progress(alice) == f"Trial 3 of {TRIALS}"

            server.stop()  # the server goes away mid-study ...
            server = StudyServer(study, port=server.port)  # ... and comes back
            alice.get(server.url + "/next")
            assert progress(alice) == f"Trial 3 of {TRIALS}"  # resumed, not started again
            while alice.find_elements(By.NAME, "trial_id"):
                if alice.find_elements(By.ID, "left-image"):
                    alice.save_screenshot(str(tmp_path / "side_by_side.png"))
                alice_trials.append(answer_current_trial(alice, always_real))
            alice.get(server.url + "/results")
            results_page = alice.find_element(By.ID, "turing").text
            alice.save_screenshot(str(tmp_path / "results.png"))
    finally:
        server.stop()
    for name in ("turing", "side_by_side", "results"):
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"

    raters = {row["name"]: row["rater_id"] for row in stored(study, "SELECT * FROM raters")}
    answers = stored(study, "SELECT * FROM answers")
    sources = {row["item_id"]: row["source"] for row in stored(study, "SELECT * FROM items")}
    assert len(answers) == 2 * TRIALS and set(raters) == {"alice", "bob"}
    for answer in answers:
        name = "alice" if answer["rater_id"] == raters["alice"] else "bob"
        assert answer["trial_id"] in (alice_trials if name == "alice" else bob_trials)
        expected = (always_real if name == "alice" else always_generated)(answer["task"])
        assert (answer["answer"], answer["confidence"]) == expected
        assert json.loads(answer["shown_sources"]) == [sources[i] for i in json.loads(answer["items"])]
        assert answer["response_ms"] >= 0 and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]{8}Z",
                                                           answer["answered_at"])

    result = run_app("human_eval.__main__", ["--report", study, "--json"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    turing = {row["source"]: row for row in report["turing"]}
    # Each rater saw 2 real images and one of each model's: alice called all 4 real, bob none.
    for model in ("vae", "dcgan"):
        assert (turing[model]["count"], turing[model]["judgements"], turing[model]["raters"]) \
            == (1, 2, 2)
        assert (turing[model]["low"], turing[model]["high"]) == pytest.approx(wilson_interval(1, 2))
    assert (turing["real"]["count"], turing["real"]["judgements"]) == (2, 4)
    assert report["turing_error_rate"]["count"] == 4 and report["turing_error_rate"]["rate"] == 0.5
    assert [row["rate"] for row in report["raters"]] == [0.5, 0.5]
    side_by_side = [a for a in answers if a["task"] == "side_by_side"]
    for row in report["side_by_side"]:  # the preferences, counted again from the stored rows
        first, second = row["comparison"].split(" vs ")
        mine = [a for a in side_by_side if sorted(json.loads(a["shown_sources"])) == sorted([first, second])]
        chosen = [json.loads(a["shown_sources"])[a["answer"] == "right"] for a in mine]
        assert (row["count"], row["judgements"]) == (chosen.count(first), len(mine)) and mine
    assert "50.0% [" in results_page and "vae" in results_page


class Client:
    """One rater's cookie jar against the running server, for requests a page never makes."""

    def __init__(self, url):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path, data=None, method=None):
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(self.url + path, data=body, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def refusal_line(page):
    match = re.search(r'<p class="refused" id="refused">(.*?)</p>', page)
    return match.group(1) if match else page[:300]


def test_bad_requests_get_a_clear_4xx_and_change_nothing_stored(fresh_study, tmp_path):
    study = copy_of(fresh_study, tmp_path)
    server = StudyServer(study)
    try:
        rater, other = Client(server.url), Client(server.url)
        assert rater.request("/start", {"name": "carol"})[0] == 200  # followed to /next
        status, page = other.request("/start", {"name": "dave"})
        other_trial = re.search(r'name="trial_id" value="([0-9a-f]{16})"', page).group(1)
        status, page = rater.request("/next")
        trial = re.search(r'name="trial_id" value="([0-9a-f]{16})"', page).group(1)
        image = re.search(r'src="/images/([0-9a-f]{16})\.png"', page).group(1)
        assert rater.request(f"/images/{image}.png")[0] == 200
        before = list(sqlite3.connect(study / "study.sqlite").iterdump())

        cases = [
            ("/answer", {"trial_id": "0123456789abcdef", "answer": "real"}, 404, "unknown trial"),
            ("/answer", {"trial_id": other_trial, "answer": "real"}, 404, "unknown trial"),
            ("/answer", {"answer": "real"}, 400, "no valid trial_id"),
            ("/answer", b"\xff\xfe not a form", 400, "no valid trial_id"),
            ("/answer", {"trial_id": "../../etc/passwd", "answer": "real"}, 400, "no valid trial_id"),
            ("/answer", {"trial_id": trial, "answer": "maybe"}, 400, "answer must be one of"),
            ("/answer", {"trial_id": trial, "answer": "left"}, 400, "answer must be one of"),
            ("/answer", {"trial_id": trial, "answer": "real", "confidence": "9"}, 400,
             "confidence must be one of 1, 2, 3"),
            ("/answer", {"trial_id": trial, "answer": "real", "pad": "x" * 20_000}, 413,
             "too large"),
            ("/start", {"name": "x" * 81}, 400, "longer than 80 characters"),
            ("/answer", None, 405, "GET is not accepted"),
            ("/images/..%2Fstudy.sqlite", None, 404, "nothing here"),
            ("/images/%2e%2e/study.sqlite.png", None, 404, "nothing here"),
            ("/images/0123456789abcdef.png", None, 404, "nothing here"),
            ("/study.sqlite", None, 404, "nothing here"),
            ("/items/" + image + ".png", None, 404, "nothing here"),
        ]
        for path, data, status, message in cases:
            got_status, page = rater.request(path, data)
            assert (got_status, message in refusal_line(page)) == (status, True), (path, data, page[-500:])
        stranger = Client(server.url)  # no session cookie at all
        status, page = stranger.request("/answer", {"trial_id": trial, "answer": "real"})
        assert (status, "no rater session" in refusal_line(page)) == (403, True)
        assert list(sqlite3.connect(study / "study.sqlite").iterdump()) == before

        assert rater.request("/answer", {"trial_id": trial, "answer": "real"})[0] == 200
        status, page = rater.request("/answer", {"trial_id": trial, "answer": "generated"})
        assert (status, "already answered" in refusal_line(page)) == (409, True)
        assert [a["answer"] for a in stored(study, "SELECT * FROM answers")] == ["real"]
    finally:
        server.stop()


def test_refusals_of_the_command_line(fresh_study, tmp_path, run_app, trained_flow_2d, trained_vae):
    study = copy_of(fresh_study, tmp_path)
    before = {p: p.read_bytes() for p in study.rglob("*") if p.is_file()}
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "study.sqlite").write_text("not a database")
    cases = [
        (["--report", empty], "holds no study"),
        (["--report", tmp_path / "broken"], "is not a readable study file"),
        (["--study", empty], "holds no study yet; give --models"),
        (["--study", study, "--models", trained_vae[1], "--labels", "vae"],
         "already holds a study with other --models"),
        (["--study", study, "--turing-trials", "10"], "--turing-trials (it has 4)"),
        (["--study", empty, "--models", trained_vae[1], "--turing-trials", "3"],
         "--turing-trials must be even"),
        (["--study", empty, "--models", trained_vae[1], "--labels", "a", "b"],
         "gives 2 names for 1 --models"),
        (["--study", empty, "--models", trained_vae[1], "--labels", "real"],
         "labels must differ"),
        (["--study", empty, "--models", tmp_path / "nope.keras"], "does not exist"),
        (["--study", empty, "--models", tmp_path / "broken"], "is a folder; pass the .keras file"),
        (["--study", empty, "--models", trained_flow_2d[1]], "does not sample mnist images"),
        (["--study", empty, "--models", trained_vae[1], "--images-per-model", "2"],
         "needs 10 images of each model per rater"),
        (["--study", study, "--port", "70000"], "must lie in 0..65535"),
    ]
    for arguments, message in cases:
        result = run_app("human_eval.__main__", arguments)
        assert result.returncode == 2 and message in result.stderr, (arguments, result.stderr)
        assert "Traceback" not in result.stderr
    assert not os.listdir(empty)  # nothing made where nothing was asked for
    server = StudyServer(study)  # a port already taken: one line, not a traceback
    try:
        result = run_app("human_eval.__main__", ["--study", study, "--port", server.port])
        assert result.returncode == 2 and "choose another --port" in result.stderr
    finally:
        server.stop()
    assert {p: p.read_bytes() for p in study.rglob("*") if p.is_file()} == before
