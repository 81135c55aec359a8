#!/usr/bin/env python3
# exec program: reads one JSON document on stdin, writes one JSON value (sent on) on stdout.
import json, sys

document = json.load(sys.stdin)
topic = document["message"].get("topic", "nothing in particular")
print(json.dumps({"title": topic.title(), "text": f"A few words about {topic}."}))
