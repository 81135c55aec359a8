#!/usr/bin/env python3
# worker program: NDJSON JSON-RPC on stdin/stdout, one "execute" call per message.
import json, sys

published = 0
for line in sys.stdin:
    call = json.loads(line)
    message = call["params"]["message"]   # {"requestId", "request", "response"} from the approval
    draft = message["request"]["message"]
    published += 1
    actions = [
        {"event": "published", "data": {"count": published}},
        {"setState": {"published": published}},
        {"output": {"published": draft["title"], "note": message["response"].get("note")}},
    ]
    print(json.dumps({"jsonrpc": "2.0", "id": call["id"], "result": {"actions": actions}}), flush=True)
