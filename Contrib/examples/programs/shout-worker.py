#!/usr/bin/env python3
# worker program: answers each execute call with a send action.
import json, sys

for line in sys.stdin:
    call = json.loads(line)
    text = str(call["params"]["message"])
    answer = {"jsonrpc": "2.0", "id": call["id"], "result": {"actions": [{"send": text.upper()}]}}
    print(json.dumps(answer), flush=True)
