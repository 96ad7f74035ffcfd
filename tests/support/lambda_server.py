"""A stand-in for AWS Lambda's Invoke API on a free loopback port: ``POST
/2015-03-31/functions/<name>/invocations`` runs the named handler in this process and answers
its result as Lambda does (200 with the payload; ``X-Amz-Function-Error`` when it raised; 404
``ResourceNotFoundException`` for an unknown function). boto3 reaches it with ``endpoint_url``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

Handler = Callable[[Mapping[str, Any], object], Any]
INVOKE_PREFIX = "/2015-03-31/functions/"


@contextmanager
def lambda_server(functions: Mapping[str, Handler]) -> Iterator[str]:
    """Serve ``functions`` by name until the block ends; yields the endpoint URL."""

    class Invocations(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            name = unquote(self.path.removeprefix(INVOKE_PREFIX).partition("/invocations")[0])
            event = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)) or "{}")
            function = functions.get(name)
            if not self.path.startswith(INVOKE_PREFIX) or function is None:
                body = {"Type": "User", "message": f"Function not found: {name}"}
                self._answer(404, body, {"X-Amzn-ErrorType": "ResourceNotFoundException"})
                return
            try:
                result = function(event, None)
            except Exception as error:
                failure = {"errorMessage": str(error), "errorType": type(error).__name__}
                self._answer(200, failure, {"X-Amz-Function-Error": "Unhandled"})
                return
            self._answer(200, result, {"X-Amz-Executed-Version": "$LATEST"})

        def _answer(self, status: int, body: Any, headers: Mapping[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for header, value in headers.items():
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read the answers."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Invocations)
    thread = threading.Thread(target=server.serve_forever, name="lambda-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
