#!/usr/bin/env python3
"""An OTLP/HTTP trace receiver for the tests: it decodes each POST to /v1/traces with the
official protocol buffer definitions (PyPI's opentelemetry-proto) and prints one JSON line per
span on stdout (its trace and span ids in hex, its parent, name, kind, attributes, status, links,
and the resource's attributes). A body that does not decode is answered 400 and reported on stderr.

    otlp-receiver.py PORT_FILE     listens on a free loopback port and writes it to PORT_FILE
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(item) for item in any_value.array_value.values]
    if kind is None:
        return None
    return getattr(any_value, kind)


def attributes(pairs):
    return {pair.key: value(pair.value) for pair in pairs}


requests = 0


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        global requests
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
            print(f"refused: {self.path} {self.headers.get('Content-Type')}", file=sys.stderr, flush=True)
            self.send_response(404)
            self.end_headers()
            return
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except DecodeError as error:
            print(f"undecodable: {error}", file=sys.stderr, flush=True)
            self.send_response(400)
            self.end_headers()
            return
        requests += 1
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    print(json.dumps({
                        "traceId": span.trace_id.hex(), "spanId": span.span_id.hex(), "parentSpanId": span.parent_span_id.hex(),
                        "name": span.name, "kind": span.kind, "start": span.start_time_unix_nano, "end": span.end_time_unix_nano,
                        "attributes": attributes(span.attributes), "status": span.status.code, "resource": resource,
                        "scope": scope_spans.scope.name, "request": requests,
                        "links": [{"traceId": link.trace_id.hex(), "spanId": link.span_id.hex(),
                                   "attributes": attributes(link.attributes)} for link in span.links],
                    }), flush=True)
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *arguments):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
with open(sys.argv[1] + ".tmp", "w") as file:
    file.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
# Ends when the test's end of stdin closes (however the test process ended).
import threading
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
