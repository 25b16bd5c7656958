"""What the demo's scenes share: the cloud, a session of the demo's profile, and the output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

import euca_boto

if TYPE_CHECKING:
    from euca_boto.testing import LocalCloud

# The profile the demo writes for its LocalCloud; every scene's sessions use it.
PROFILE = "localcloud"


class Tour:
    """The state the scenes share: the cloud, the installed session and the output."""

    def __init__(self, cloud: LocalCloud, out: TextIO) -> None:
        self.cloud = cloud
        self.out = out
        self.session = euca_boto.session(profile_name=PROFILE)

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def scene(self, title: str) -> None:
        self.say()
        self.say(f"== {title} ==")

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.session.client(service, **kwargs)
