"""`wfctl mcp` through the official Model Context Protocol client (the `mcp` package from PyPI):
the real workflowd on a real socket, the real wfctl started by the client over stdio.

Run by Contrib/dev/test (Contrib/dev/mcp-tests); needs the debug build.
"""

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("WORKFLOWD_BUILD_DIR", ROOT / ".build" / "debug"))
WAIT = 30  # seconds: an upper bound on waiting for what must happen, never a pause

GREET = """
name: greet
start: hello
inputSchema: { type: object, required: [name], properties: { name: { type: string, minLength: 1 } } }
executors:
  hello: { kind: transform, expression: "join('', ['Hello, ', message.name])" }
  done: { kind: output }
edges:
  - { from: hello, to: done }
"""


class Daemon:
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="wfmcp-"))
        definitions = self.directory / "definitions"
        definitions.mkdir()
        for example in ("review", "reminder"):
            shutil.copy(ROOT / "Contrib" / "examples" / f"{example}.yaml", definitions / f"{example}.yaml")
        shutil.copytree(ROOT / "Contrib" / "examples" / "programs", definitions / "programs")
        (definitions / "greet.yaml").write_text(GREET)
        self.definitions = definitions
        self.socket = str(self.directory / "workflowd.sock")
        self.log = open(self.directory / "workflowd.log", "w")
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [str(BUILD / "workflowd"), "--socket", self.socket, "--state-dir", str(self.directory / "state"),
             "--definitions", str(self.definitions)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WAIT
        while self.wfctl("status").returncode != 0:
            assert time.monotonic() < deadline, "workflowd did not answer"
            time.sleep(0.05)

    def restart(self):
        self.process.terminate()
        self.process.wait(timeout=WAIT)
        self.start()

    def wfctl(self, *arguments):
        return subprocess.run([str(BUILD / "wfctl"), "--socket", self.socket, *arguments], capture_output=True, text=True)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=WAIT)
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def daemon():
    started = Daemon()
    yield started
    started.stop()


def session_for(daemon):
    return stdio_client(StdioServerParameters(command=str(BUILD / "wfctl"), args=["--socket", daemon.socket, "mcp"]))


def result_json(result):
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


async def conversation(daemon):
    async with session_for(daemon) as (read, write):
        async with ClientSession(read, write) as session:
            initialized = await session.initialize()
            assert initialized.server_info.name == "workflowd"
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            assert {"list_definitions", "list_instances", "start_run", "get_run", "read_events", "list_requests",
                    "answer_request"} <= set(tools)

            await session.send_ping()
            definitions = result_json(await session.call_tool("list_definitions", {}))
            assert sorted(d["name"] for d in definitions["definitions"]) == ["greet", "reminder", "review"]
            greet = next(d for d in definitions["definitions"] if d["name"] == "greet")
            assert greet["inputSchema"]["required"] == ["name"]

            # The input is checked against the definition's inputSchema: refused, naming the problem.
            refused = await session.call_tool("start_run", {"instance": "hi", "definition": "greet", "input": {"name": ""}})
            assert refused.is_error and "inputSchema" in refused.content[0].text and "/name" in refused.content[0].text
            greeted = result_json(await session.call_tool("start_run", {"instance": "hi", "definition": "greet", "input": {"name": "Ada"}}))
            assert greeted["status"] == "idle" and greeted["outputs"] == ["Hello, Ada"], greeted

            # The review example: its draft step runs, then it asks a person.
            started = result_json(await session.call_tool("start_run", {"instance": "doc", "definition": "review",
                                                                         "input": {"topic": "MCP"}}))
            assert started["status"] == "idle_with_pending_requests", started

            # "What is waiting for me?"
            waiting = result_json(await session.call_tool("list_requests", {}))["requests"]
            assert len(waiting) == 1
            request = waiting[0]
            assert request["payload"]["prompt"] == "Publish this draft?"
            assert request["schema"]["required"] == ["approved"]

            # The request is a tool whose input schema is the request's schema.
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            answer = tools[request["answerWith"]]
            assert answer.input_schema["required"] == ["approved"]
            assert answer.input_schema["properties"]["approved"] == {"type": "boolean"}
            assert "Publish this draft?" in answer.description

            # A wrong answer is refused, naming the problem; the request stays open.
            wrong = await session.call_tool(request["answerWith"], {"approved": "yes"})
            assert wrong.is_error and "approved" in wrong.content[0].text
            assert len(result_json(await session.call_tool("list_requests", {}))["requests"]) == 1

            answered = result_json(await session.call_tool(request["answerWith"], {"approved": True, "note": "from MCP"}))
            assert answered["accepted"] is True
            assert answered["run"]["status"] == "idle", answered
            assert answered["run"]["outputs"], answered
            assert result_json(await session.call_tool("list_requests", {}))["requests"] == []

            run = result_json(await session.call_tool("get_run", {"instance": "doc"}))
            assert run["status"] == "idle"
            events = result_json(await session.call_tool("read_events", {"instance": "doc"}))["events"]
            assert any(e["type"] == "response_accepted" and e["response"] == {"approved": True, "note": "from MCP"} for e in events)

            # Resources: the instance and its graph.
            uris = {str(resource.uri) for resource in (await session.list_resources()).resources}
            assert {"workflowd://instances/doc", "workflowd://instances/doc/graph"} <= uris
            instance = json.loads((await session.read_resource("workflowd://instances/doc")).contents[0].text)
            assert instance["name"] == "doc" and instance["definition"] == "review"
            graph = (await session.read_resource("workflowd://instances/doc/graph")).contents[0].text
            assert "flowchart LR" in graph and "approve" in graph

            # The daemon restarts: the next call connects again.
            daemon.restart()
            instance = result_json(await session.call_tool("get_instance", {"instance": "doc"}))
            assert instance["status"] == "idle"

            # An unknown resource is a protocol error naming it.
            with pytest.raises(Exception) as unknown:
                await session.read_resource("workflowd://instances/nope")
            assert "nope" in str(unknown.value)

            # Errors are tool errors that say what is wrong.
            missing = await session.call_tool("get_instance", {"instance": "nope"})
            assert missing.is_error and "nope" in missing.content[0].text
            gone = await session.call_tool("answer_q0000", {"approved": True})
            assert gone.is_error and "not open" in gone.content[0].text


def test_an_mcp_client_lists_runs_and_answers_the_review_examples_request(daemon):
    asyncio.run(asyncio.wait_for(conversation(daemon), timeout=120))
    # The answer went through the daemon: wfctl sees the run finished.
    runs = json.loads(daemon.wfctl("--json", "runs", "doc").stdout)["runs"]
    assert runs[0]["status"] == "idle"


def test_wfctl_mcp_says_on_stderr_when_the_daemon_is_unreachable(tmp_path):
    result = subprocess.run([str(BUILD / "wfctl"), "--socket", str(tmp_path / "none.sock"), "mcp"], input="", capture_output=True,
                            text=True, timeout=WAIT)
    assert result.returncode == 69
    assert result.stdout == ""
    assert "none.sock" in result.stderr
