"""The tracker's scene of ``euca-boto demo``: an instance changes state and a callback arrives."""

from __future__ import annotations

import json
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from euca_boto.cli.scenes.tour import Tour
from euca_boto.tracker.client import TrackerClient
from euca_boto.tracker.engine import Tracker
from euca_boto.tracker.model import INSTANCE
from euca_boto.tracker.service import TrackerService
from euca_boto.tracker.signature import SIGNATURE_HEADER, verify


def scene_tracker(tour: Tour) -> None:
    tour.scene("The resource-change tracker: a state change becomes a callback")
    arrived: list[tuple[bytes, str]] = []
    got_one = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrived.append((body, self.headers.get(SIGNATURE_HEADER, "")))
            self.send_response(204)
            self.end_headers()
            got_one.set()

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/callback"
    ec2 = tour.session.client("ec2")
    [instance] = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"]
    instance_id = instance["InstanceId"]
    with tempfile.TemporaryDirectory(prefix="euca-tracker-") as tmp:
        # The demo's receiver is on loopback, which hooks may target only when allowed.
        allow = ("127.0.0.1",)
        tracker = Tracker(str(Path(tmp) / "feed.db"), [tour.session], interval=0.2,
                          resource_types=[INSTANCE], hook_allow=allow)
        tracker.poll()  # the baseline, so the tracker knows the new instance
        service = TrackerService(tracker, tour.cloud.service_url("sts"), port=0,
                                 hook_allow=allow)
        service.start_loop(deliver_every=0.05)
        try:
            tour.say(f"A tracker serves {service.url}, polling every 0.2 s into "
                     f"{tracker.store.describe()} (hooks to 127.0.0.1 allowed: "
                     f"euca_tracker_hook_allow)")
            client = TrackerClient(tour.session, service.url)
            tour.say(f">>> TrackerClient(session, url).track({instance_id!r}, {hook_url!r})")
            token = client.track(instance_id, hook_url)["token"]
            tour.say("  (signed with the session's own keys; the tracker asked STS who we are)")
            tour.say(f">>> ec2.stop_instances(InstanceIds=[{instance_id!r}])")
            ec2.stop_instances(InstanceIds=[instance_id])
            if got_one.wait(10):
                body, signature = arrived[0]
                change = json.loads(body)
                tour.say(f"  callback: {change['resource_type']} {change['resource_id']}: "
                         f"{change['old_state']} -> {change['new_state']} (feed entry "
                         f"{change['id']})")
                tour.say(f"  {SIGNATURE_HEADER} verifies with the hook's token: "
                         f"{verify(token, body, signature)}")
            else:
                tour.say("  no callback arrived within 10 s")
            changes, cursor = client.changes()
            tour.say(f">>> client.changes()  ->  {len(changes)} entr"
                     f"{'y' if len(changes) == 1 else 'ies'}, next cursor {cursor}")
        finally:
            service.close()
            tracker.store.close()
            receiver.shutdown()
            receiver.server_close()
