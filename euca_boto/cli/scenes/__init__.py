"""The scenes of ``euca-boto demo``, one module a feature, and the order they are played in.

Each scene is a function of the demo's :class:`~euca_boto.cli.scenes.tour.Tour`; a scene
appears here once the feature it shows exists.
"""

from collections.abc import Callable

from euca_boto.cli.scenes.breakers import scene_breaker
from euca_boto.cli.scenes.endpoints import scene_endpoints
from euca_boto.cli.scenes.intro import scene_admin, scene_cloud, scene_session
from euca_boto.cli.scenes.retry import scene_retry
from euca_boto.cli.scenes.tour import Tour
from euca_boto.cli.scenes.tracker import scene_tracker
from euca_boto.cli.scenes.wirelog import scene_wire_log

SCENES: list[Callable[[Tour], None]] = [
    scene_cloud, scene_session, scene_admin, scene_retry, scene_wire_log, scene_breaker,
    scene_tracker, scene_endpoints,
]
