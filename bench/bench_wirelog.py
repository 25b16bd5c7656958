"""What wire logging costs: plain boto3 against euca-boto with the wire log off and on.

Every variant calls STS GetCallerIdentity on the same small HTTP server on 127.0.0.1 (a canned
answer, so the plugin's share of the time is as large as it can be). Variants:

* plain boto3;
* euca-boto without the wire-log handlers (unregistered from that client), the baseline of
  the other plugin features;
* euca-boto with the wire log off (the default): the handlers run and return at once;
* euca-boto with the wire log on, records formatted and handed to a handler that drops them;
* the same for STS AssumeRoleWithWebIdentity, whose model marks members sensitive in the
  request (the token) and the response (the credentials): what redaction by the model adds.

Run: ``.venv/bin/python bench/bench_wirelog.py [rounds]``.
"""

from __future__ import annotations

import http.server
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import boto3

import euca_boto
from bench.harness import compare, report

_ANSWER = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn>"
    b"<UserId>AIDABENCH</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)


_WEB_IDENTITY_ANSWER = (
    b'<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIABENCH</AccessKeyId>"
    b"<SecretAccessKey>bench-secret-access-key</SecretAccessKey>"
    b"<SessionToken>bench-session-token</SessionToken>"
    b"<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
    b"<SubjectFromWebIdentityToken>bench</SubjectFromWebIdentityToken>"
    b"<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/bench/bench</Arn>"
    b"<AssumedRoleId>AROABENCH:bench</AssumedRoleId></AssumedRoleUser>"
    b"</AssumeRoleWithWebIdentityResult>"
    b"<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>"
    b"</AssumeRoleWithWebIdentityResponse>"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = _WEB_IDENTITY_ANSWER if b"AssumeRoleWithWebIdentity" in request else _ANSWER
        # One write: headers and body in separate segments meet delayed ACKs (40 ms stalls).
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
            + f"Content-Length: {len(answer)}\r\n\r\n".encode()
            + answer
        )

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Drop(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        self.format(record)


def main(rounds: int = 3000) -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        config.write_text("[profile bench]\nregion = eucalyptus\n")
        os.environ["AWS_CONFIG_FILE"] = str(config)
        keys = {"aws_access_key_id": "AKIDBENCH", "aws_secret_access_key": "bench-secret"}

        plain = boto3.session.Session(profile_name="bench", **keys).client("sts", endpoint_url=url)
        settings = {"euca_retry_max_attempts": 1}
        bare = euca_boto.session("bench", **keys, **settings).client("sts", endpoint_url=url)
        for event, unique_id in (("before-call.sts", "euca-boto-wirelog-before-call-sts"),
                                 ("before-send.sts", "euca-boto-wirelog-before-send-sts"),
                                 ("response-received.sts",
                                  "euca-boto-wirelog-response-received-sts")):
            bare.meta.events.unregister(event, unique_id=unique_id)
        off = euca_boto.session("bench", **keys, **settings).client("sts", endpoint_url=url)
        on = euca_boto.session("bench", **keys, **settings, euca_wire_log="sts").client(
            "sts", endpoint_url=url)

        wire = logging.getLogger("euca_boto.wire.sts")
        wire.setLevel(logging.INFO)
        wire.propagate = False
        wire.addHandler(_Drop())
        try:
            results = compare(
                [
                    ("plain boto3", plain.get_caller_identity),
                    ("euca-boto, no wire-log handlers", bare.get_caller_identity),
                    ("euca-boto, wire log off", off.get_caller_identity),
                    ("euca-boto, wire log on", on.get_caller_identity),
                    ("euca-boto, wire log on, sensitive members", lambda: (
                        on.assume_role_with_web_identity(
                            RoleArn="arn:aws:iam::123456789012:role/bench",
                            RoleSessionName="bench", WebIdentityToken="bench-token"))),
                ],
                rounds=rounds,
            )
        finally:
            server.shutdown()
            server.server_close()
    text = report(f"STS on 127.0.0.1 (GetCallerIdentity unless said), {rounds} rounds", results)
    off_median = results[2].median / results[1].median
    return text + f"\n  wire log off vs no wire-log handlers: {off_median:.3f}"


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
