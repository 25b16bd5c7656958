"""The tracker's HTTP API, in layers: controller (authentication, validation) -> dispatcher
(inline or worker queue) -> handlers (the operations) -> store. ``server`` binds it to HTTP."""
