"""The web console in a real browser: the real workflowd on a real socket, the real `wfctl console`
(as root, and as nobody through setpriv), headless Chromium from Debian driven by Selenium.

Run by Contrib/dev/test (Contrib/dev/browser-tests); needs the debug build. Screenshots of each
page go to .build/console-screenshots/ (linked from the README).
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("WORKFLOWD_BUILD_DIR", ROOT / ".build" / "debug"))
SHOTS = ROOT / ".build" / "console-screenshots"
WAIT = 30  # seconds: an upper bound on waiting for what must happen, never a pause


APPROVAL = """
name: approval
start: ask
executors:
  ask:
    kind: request
    prompt: "Ship this release?"
    schema:
      type: object
      required: [approved, priority]
      properties:
        approved: { type: boolean, title: Approved }
        priority: { type: integer, minimum: 1, maximum: 5, title: Priority, description: "1 is the most urgent" }
        channel: { enum: [email, chat, none], title: Channel }
        reviewer:
          type: object
          title: Reviewer
          properties:
            name: { type: string, maxLength: 80 }
            email: { type: string, format: email }
        tags: { type: array, items: { type: string }, title: Tags }
        note: { type: string, title: Note }
  finish: { kind: exec, command: [/bin/sh, -c, "while [ ! -e GATE ]; do sleep 0.05; done; echo '{\\"shipped\\": true}'"], timeout: 300s }
  done: { kind: output }
edges:
  - { from: ask, to: finish }
  - { from: finish, to: done }
"""


def wait_for(predicate, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = predicate()
        except WebDriverException as problem:  # the browser is between two documents: ask again
            value, last = None, problem
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f" (last: {last.msg})" if last else ""))
        time.sleep(0.05)


def text(browser, selector):
    """The text of the first element `selector` finds; empty while the page that has it loads."""
    try:
        return browser.find_element(By.CSS_SELECTOR, selector).text
    except WebDriverException:  # not there, gone, or its document is being replaced
        return ""


class Daemon:
    def __init__(self):
        # World-readable directories: the console also runs as nobody and must reach the socket.
        self.directory = Path(tempfile.mkdtemp(prefix="wfconsole-"))
        os.chmod(self.directory, 0o755)
        self.gate = self.directory / "gate"
        definitions = self.directory / "definitions"
        definitions.mkdir()
        (definitions / "approval.yaml").write_text(APPROVAL.replace("GATE", str(self.gate)))
        for example in ("review", "reminder", "release"):
            shutil.copy(ROOT / "Contrib" / "examples" / f"{example}.yaml", definitions / f"{example}.yaml")
        shutil.copytree(ROOT / "Contrib" / "examples" / "programs", definitions / "programs")
        self.socket = str(self.directory / "workflowd.sock")
        self.log = open(self.directory / "workflowd.log", "w")
        self.process = subprocess.Popen(
            [str(BUILD / "workflowd"), "--socket", self.socket, "--state-dir", str(self.directory / "state"),
             "--definitions", str(definitions), "--socket-mode", "666"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.wfctl("status", check=False).returncode == 0, "workflowd to answer")

    def wfctl(self, *arguments, check=True):
        result = subprocess.run([str(BUILD / "wfctl"), "--socket", self.socket, *arguments], capture_output=True, text=True,
                                env={**os.environ, "NO_COLOR": "1"})
        if check and result.returncode != 0:
            raise AssertionError(f"wfctl {' '.join(arguments)}: {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def pending(self, instance):
        return json.loads(self.wfctl("--json", "pending", instance).stdout)["requests"]

    def events(self, instance):
        return json.loads(self.wfctl("--json", "events", instance).stdout)["events"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=WAIT)
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class Console:
    """`wfctl console --no-browser`, as root or as another user; the address it prints."""

    def __init__(self, daemon, as_nobody=False):
        command = [str(BUILD / "wfctl"), "--socket", daemon.socket, "console", "--no-browser", "--listen", "127.0.0.1:0"]
        if as_nobody:
            command = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "NO_COLOR": "1", "HOME": "/tmp"})
        line = self.process.stdout.readline()
        assert line.startswith("workflowd console: http://127.0.0.1:"), line + self.process.stderr.read()
        self.url = line.split(": ", 1)[1].strip()
        parsed = urllib.parse.urlparse(self.url)
        self.base = f"{parsed.scheme}://{parsed.netloc}"
        self.port = parsed.port
        self.token = urllib.parse.parse_qs(parsed.query)["token"][0]

    def request(self, method, path, body=None, headers=None, cookie=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        headers = dict(headers or {})
        if cookie:
            headers["Cookie"] = f"workflowd_console={self.token}"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=WAIT)


def make_browser(javascript=True, width=1280, height=1000):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def shoot(browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(browser.get_window_size()["width"], min(max(height + 40, 600), 4000))
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def daemon():
    started = Daemon()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def console(daemon):
    started = Console(daemon)
    yield started
    started.stop()


@pytest.fixture
def browser():
    opened = make_browser()
    yield opened
    # The page's script ran without an error (a syntax error would leave every page without it).
    errors = [entry["message"] for entry in opened.get_log("browser") if entry["source"] == "javascript"]
    opened.quit()
    assert errors == [], errors


def start_approval(daemon, name):
    daemon.wfctl("create", name, "approval")
    daemon.wfctl("run", name, "--input", '{"version": "2.0"}')
    return wait_for(lambda: daemon.pending(name), f"{name}'s request")[0]


def card(browser, request):
    return browser.find_element(By.CSS_SELECTOR, f"article.request[id$='{request['id']}']")


def field(form, pointer):
    """The input (or fieldset) for a JSON Pointer, and the error line shown at it."""
    error = form.find_element(By.CSS_SELECTOR, f".error[data-pointer='{pointer}']")
    return error


# MARK: Tests


def test_a_missing_or_wrong_token_gets_403_and_nothing_else(daemon, console):
    daemon.wfctl("create", "secret-instance", "review")
    for path in ("/", "/inbox", "/instances/secret-instance", "/instances/secret-instance/events", "/assets/console.js"):
        response, body = console.request("GET", path, cookie=False)
        assert response.status == 403, path
        assert "secret-instance" not in body
    response, body = console.request("GET", "/?token=" + "0" * 32, cookie=False)
    assert response.status == 403
    response, body = console.request("GET", "/", headers={"Cookie": "workflowd_console=" + "0" * 32}, cookie=False)
    assert response.status == 403
    # The token in the address: a cookie and the same page without it.
    response, _ = console.request("GET", "/?token=" + console.token, cookie=False)
    assert response.status == 303
    assert response.getheader("Location") == "/"
    assert "HttpOnly" in response.getheader("Set-Cookie") and "SameSite=Strict" in response.getheader("Set-Cookie")
    response, body = console.request("GET", "/")
    assert response.status == 200 and "secret-instance" in body


def test_every_field_of_every_page_has_a_label_and_the_pages_fit_a_phone(daemon, console):
    request = start_approval(daemon, "labels")
    phone = make_browser(width=390, height=844)
    try:
        phone.get(console.url)
        for path in ("/", "/inbox", "/instances/labels"):
            phone.get(console.base + path)
            unlabelled = phone.execute_script("""
                return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
                    .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name || e.id);""")
            assert unlabelled == [], f"{path}: fields without a label: {unlabelled}"
            overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a phone's screen"
        phone.get(console.base + "/inbox")
        shoot(phone, "inbox-phone")
    finally:
        phone.quit()
    daemon.wfctl("respond", "labels", request["id"], '{"approved": false, "priority": 5}')


def test_a_wrong_answer_shows_at_its_field_and_the_request_stays_open_then_a_right_one_finishes_the_run_live(daemon, console, browser):
    request = start_approval(daemon, "ship")
    browser.get(console.url)
    shoot(browser, "instances")
    browser.get(console.base + "/inbox")
    form = card(browser, request).find_element(By.TAG_NAME, "form")
    assert "Ship this release?" in card(browser, request).text
    # Wrong: a priority above the schema's maximum. The page says so at the field, nothing is sent.
    form.find_element(By.CSS_SELECTOR, "input[name='v/approved'][value='true']").click()
    priority = form.find_element(By.CSS_SELECTOR, "input[name='v/priority']")
    priority.send_keys("9")
    form.find_element(By.CSS_SELECTOR, "button.primary").click()
    error = field(form, "/priority")
    wait_for(lambda: error.text.strip() != "", "the error at the priority field")
    assert priority.get_attribute("aria-invalid") == "true"
    assert field(form, "/approved").text == ""
    shoot(browser, "inbox-error")
    assert [open_request["id"] for open_request in daemon.pending("ship")] == [request["id"]], "the request stays open"
    # Right: the answer goes; the instance page follows the run, which ends without a reload.
    priority.clear()
    priority.send_keys("2")
    form.find_element(By.CSS_SELECTOR, "select[name='v/channel'] option[value='\"chat\"']").click()
    form.find_element(By.CSS_SELECTOR, "input[name='v/reviewer/email']").send_keys("ada@example.org")
    form.find_element(By.CSS_SELECTOR, "textarea[name='v/tags']").send_keys("release\nurgent")
    form.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait_for(lambda: browser.current_url.startswith(console.base + "/instances/ship"), "the instance page")
    wait_for(lambda: "Your answer was sent" in text(browser, ".notice"), "the notice that the answer was sent")
    assert daemon.pending("ship") == []
    browser.execute_script("window.sameDocument = true")
    wait_for(lambda: "Live" in text(browser, "#events-state"), "the event stream to open")
    daemon.gate.touch()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#runs tbody tr .status-idle"), "the run to show as ended")
    assert browser.execute_script("return window.sameDocument === true"), "the page was reloaded"
    events = browser.find_element(By.ID, "events").text
    assert "run_completed" in events or "status" in events
    runs = json.loads(daemon.wfctl("--json", "runs", "ship").stdout)["runs"]
    assert runs[0]["status"] == "idle"
    shoot(browser, "instance")


@pytest.mark.parametrize("example, input", [("review", '{"topic": "consoles"}'), ("reminder", '{"title": "T", "text": "x"}'),
                                            ("release", '{"words": ["web", "consoles"]}')])
def test_every_examples_request_is_answered_from_the_browser_and_its_run_ends(daemon, console, browser, example, input):
    name = f"example-{example}"
    daemon.wfctl("create", name, example)
    daemon.wfctl("run", name, "--input", input)
    request = wait_for(lambda: daemon.pending(name), f"{name}'s request")[0]
    browser.get(console.url)
    browser.get(console.base + "/inbox")
    form = card(browser, request).find_element(By.TAG_NAME, "form")
    form.find_element(By.CSS_SELECTOR, "input[name='v/approved'][value='true']").click()
    form.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait_for(lambda: f"/instances/{name}" in browser.current_url, "the instance page")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#runs tbody tr:first-child .status-idle"), f"{name}'s run to end")
    assert daemon.pending(name) == []
    runs = json.loads(daemon.wfctl("--json", "runs", name).stdout)["runs"]
    assert runs[0]["status"] == "idle" and runs[0].get("outputs"), runs[0]


def test_the_inbox_shows_a_new_request_without_a_reload(daemon, console, browser):
    browser.get(console.url)
    browser.get(console.base + "/inbox")
    browser.execute_script("window.sameDocument = true")
    request = start_approval(daemon, "arrives")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, f"article.request[id$='{request['id']}']"), "the new request in the inbox")
    assert browser.execute_script("return window.sameDocument === true"), "the page was reloaded"
    daemon.wfctl("respond", "arrives", request["id"], '{"approved": false, "priority": 1}')


def test_the_daemon_gets_the_answer_the_form_means(daemon, console, browser):
    request = start_approval(daemon, "typed")
    browser.get(console.url)
    browser.get(console.base + "/inbox")
    form = card(browser, request).find_element(By.TAG_NAME, "form")
    form.find_element(By.CSS_SELECTOR, "input[name='v/approved'][value='false']").click()
    form.find_element(By.CSS_SELECTOR, "input[name='v/priority']").send_keys("4")
    form.find_element(By.CSS_SELECTOR, "textarea[name='v/tags']").send_keys("a\n\nb ")
    form.find_element(By.CSS_SELECTOR, "input[name='v/reviewer/name']").send_keys("Ada")
    form.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait_for(lambda: "/instances/typed" in browser.current_url, "the instance page")
    events = daemon.events("typed")
    answered = [event for event in events if event.get("type") == "response_accepted"]
    assert answered, events
    response = answered[0].get("response")
    assert response == {"approved": False, "priority": 4, "tags": ["a", "b"], "reviewer": {"name": "Ada"}}, response


def test_without_javascript_the_server_checks_the_answer_and_asks_before_a_rewind(daemon, console):
    request = start_approval(daemon, "plain")
    browser = make_browser(javascript=False)
    try:
        browser.get(console.url)
        browser.get(console.base + "/inbox")
        form = card(browser, request).find_element(By.TAG_NAME, "form")
        form.find_element(By.CSS_SELECTOR, "input[name='v/approved'][value='true']").click()
        # The fields' bounds the browser checks itself; an answer given as JSON only the server does.
        browser.find_element(By.CSS_SELECTOR, f"article.request[id$='{request['id']}'] details.raw summary").click()
        raw = form.find_element(By.CSS_SELECTOR, "textarea[name='__json']")
        raw.send_keys('{"approved": true, "priority": 0}')
        form.find_element(By.CSS_SELECTOR, "button.primary").click()
        selector = f"article.request[id$='{request['id']}'] .error[data-pointer='/priority']"
        wait_for(lambda: text(browser, selector).strip() != "", "the server's error at the priority field")
        assert "at least 1" in text(browser, selector)
        form = card(browser, request).find_element(By.TAG_NAME, "form")
        assert daemon.pending("plain") != [], "the request stays open"
        form.find_element(By.CSS_SELECTOR, "textarea[name='__json']").clear()
        form.find_element(By.CSS_SELECTOR, "input[name='v/priority']").send_keys("1")
        form.find_element(By.CSS_SELECTOR, "button.primary").click()
        wait_for(lambda: "/instances/plain" in browser.current_url, "the instance page")
        assert daemon.pending("plain") == []
        # Rewind asks first (a page of its own), and does it only once asked.
        checkpoints = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#checkpoints li"), "the timeline's checkpoints")
        target = checkpoints[-1].get_attribute("data-checkpoint")
        checkpoints[-1].find_element(By.XPATH, ".//button[text()='Rewind here']").click()
        wait_for(lambda: "Are you sure?" in text(browser, "h1"), "the confirmation page")
        shoot(browser, "confirm-rewind")
        browser.find_element(By.XPATH, "//button[text()='Yes, do it']").click()
        wait_for(lambda: "rewound" in text(browser, ".notice"), "the rewind's notice")
        rewound = [event for event in daemon.events("plain") if event["type"] == "instance_rewound"]
        assert len(rewound) == 1 and target in json.dumps(rewound[0]), rewound
    finally:
        browser.quit()


def test_rewind_and_fork_from_the_timeline_ask_for_confirmation(daemon, console, browser):
    request = start_approval(daemon, "timeline")
    browser.get(console.url)
    browser.get(console.base + "/instances/timeline")
    # The graph marks the executor waiting on a person, and the path the run took to it.
    assert browser.find_elements(By.CSS_SELECTOR, ".workflow-graph .node.waiting.visited[data-executor='ask']")
    assert not browser.find_elements(By.CSS_SELECTOR, ".workflow-graph .node.visited[data-executor='finish']")
    first = browser.find_elements(By.CSS_SELECTOR, "#checkpoints li")[-1]
    checkpoint = first.get_attribute("data-checkpoint")
    # Dismissed: nothing happens.
    first.find_element(By.XPATH, ".//button[text()='Rewind here']").click()
    alert = WebDriverWait(browser, WAIT).until(lambda b: b.switch_to.alert)
    assert "Rewind timeline" in alert.text
    alert.dismiss()
    assert browser.current_url.endswith("/instances/timeline")
    # Fork, accepted: the new instance's page.
    first = browser.find_elements(By.CSS_SELECTOR, "#checkpoints li")[-1]
    first.find_element(By.CSS_SELECTOR, "input[name='as']").send_keys("timeline-copy")
    first.find_element(By.XPATH, ".//button[text()='Fork']").click()
    WebDriverWait(browser, WAIT).until(lambda b: b.switch_to.alert).accept()
    wait_for(lambda: "/instances/timeline-copy" in browser.current_url, "the fork's page")
    shown = json.loads(daemon.wfctl("--json", "show", "timeline-copy").stdout)
    assert shown["forkedFrom"]["checkpointId"] == checkpoint
    daemon.wfctl("respond", "timeline", request["id"], '{"approved": false, "priority": 3}')


def test_the_event_stream_resumes_after_the_last_event_id_without_a_gap(daemon, console):
    daemon.wfctl("create", "stream", "review")
    daemon.wfctl("run", "stream", "--input", '{"topic": "gaps"}')
    wait_for(lambda: daemon.pending("stream"), "the review's request")
    events = daemon.events("stream")
    assert len(events) >= 4
    middle = events[1]["seq"]
    connection = http.client.HTTPConnection("127.0.0.1", console.port, timeout=WAIT)
    connection.request("GET", "/instances/stream/events", headers={"Cookie": f"workflowd_console={console.token}", "Last-Event-ID": str(middle)})
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    seen = []
    while len(seen) < len(events) - 2:
        line = response.readline().decode()
        if line.startswith("id: "):
            seen.append(int(line[4:]))
    assert seen == [event["seq"] for event in events[2:]], (seen, [event["seq"] for event in events])
    connection.close()


def test_another_users_requests_are_not_shown_to_a_console_run_as_nobody(daemon, console):
    request = start_approval(daemon, "roots")
    other = Console(daemon, as_nobody=True)
    try:
        response, _ = other.request("GET", "/inbox")
        assert response.status == 200
        _, body = other.request("GET", "/inbox")
        assert "Nothing is waiting for you." in body
        assert request["id"] not in body and "roots" not in body
        response, body = other.request("GET", "/instances/roots")
        assert response.status == 404 and "no instance" in body.lower()
        # Nor can nobody answer it by posting the form directly.
        response, body = other.request("POST", f"/inbox/roots/{request['id']}", body={"v/approved": "true", "v/priority": "1"})
        assert response.status == 404, (response.status, body)
        assert daemon.pending("roots") != []
    finally:
        other.stop()
    # root's console shows it.
    _, body = console.request("GET", "/inbox")
    assert request["id"] in body


def test_a_bad_address_a_taken_port_and_an_unreachable_daemon_are_refused_with_what_is_wrong(daemon):
    bad = daemon.wfctl("console", "--no-browser", "--listen", "localhost:99999", check=False)
    assert bad.returncode == 64 and "--listen localhost:99999" in bad.stderr, bad
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        busy = subprocess.run([str(BUILD / "wfctl"), "--socket", daemon.socket, "console", "--no-browser", "--listen", f"127.0.0.1:{port}"],
                              capture_output=True, text=True, timeout=WAIT, env={**os.environ, "NO_COLOR": "1"})
        assert busy.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr, busy
    finally:
        taken.close()
    unreachable = subprocess.run([str(BUILD / "wfctl"), "--socket", str(daemon.directory / "nobody-here.sock"), "console", "--no-browser"],
                                 capture_output=True, text=True, timeout=WAIT, env={**os.environ, "NO_COLOR": "1"})
    assert unreachable.returncode == 69 and "nobody-here.sock" in unreachable.stderr, unreachable


def test_sigterm_stops_the_console_at_once_even_with_a_live_event_stream_open(daemon):
    daemon.wfctl("create", "stopping", "review")
    console = Console(daemon)
    connection = http.client.HTTPConnection("127.0.0.1", console.port, timeout=WAIT)
    connection.request("GET", "/instances/stopping/events", headers={"Cookie": f"workflowd_console={console.token}"})
    response = connection.getresponse()
    assert response.status == 200 and response.readline().decode().startswith("retry:")
    console.process.terminate()
    assert console.process.wait(timeout=10) == 0
    connection.close()
