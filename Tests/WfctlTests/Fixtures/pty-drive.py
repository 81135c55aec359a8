#!/usr/bin/env python3
"""Runs a command in a pseudo-terminal and plays a dialogue with it.
Usage: pty-drive.py STEPS_JSON COMMAND [ARGS...]
STEPS_JSON is a list of {"expect": text, "send": text}: wait until the text appears in the output
(after the previous match), then type the reply. Prints the whole transcript and exits with the
command's exit status (or 124 if an expected text did not come within 30 s)."""
import json
import os
import pty
import select
import sys
import time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

transcript = b""
position = 0


def read_some(deadline):
    global transcript
    ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
    if not ready:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    if not data:
        return None
    transcript += data
    return True


for step in steps:
    expected = step["expect"].encode()
    deadline = time.time() + 30
    while transcript.find(expected, position) < 0:
        got = read_some(deadline)
        if got is None or time.time() > deadline:
            sys.stdout.write(transcript.decode(errors="replace"))
            sys.stdout.write(f"\n[pty-drive: '{step['expect']}' did not come]\n")
            sys.exit(124)
    position = transcript.find(expected, position) + len(expected)
    os.write(fd, step["send"].encode())

deadline = time.time() + 30
while time.time() < deadline:
    if read_some(deadline) is None:
        break
_, status = os.waitpid(pid, 0)
sys.stdout.write(transcript.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
