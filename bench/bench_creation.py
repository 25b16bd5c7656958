"""Where an installed session's client creation goes, on the wall clock, part by part.

``bench_overhead.py`` part 2 gives one figure per service: the time of ``session.client(...)``
in an installed session over plain boto3's. This benchmark splits that figure. In one process,
interleaved, it creates clients of ec2, sts and euprop six ways:

* plain boto3, the endpoint given as ``endpoint_url``;
* plain boto3 given what an installed session passes to botocore: the endpoint, and a
  ``Config`` that carries euca-boto's connect and read timeouts (botocore builds a client with
  a ``Config`` of its caller's in more steps);
* euca-boto, as installed;
* euca-boto with ``euca_breaker = false``: the client is not put behind its breaker;
* euca-boto, clients not finished: the session's ``create_client`` prepares the arguments and
  builds the client, and returns botocore's client as it is: no handlers wired on its emitter,
  no breaker, not tracked for fork children;
* euca-boto's settings, botocore's ``create_client``: the installed session with its own
  ``create_client`` and its ``creating-client-class`` handler taken away, so that no step of
  euca-boto runs while a client is built.

The last three are diagnostic: they show what each step of the plugin's creation costs, and
are not ways to use it. Each variant's figure is the median of its rounds' own ratios to plain
boto3 (one creation of each, next to each other in time), with its 95 % interval; the
differences between rows are what one step costs.

Instruction counts (``bench_instructions.py``) show what the plugin runs; this shows what that
costs on the host, where code and data the plugin touches between botocore's steps are cold
in the processor's caches, so a few microseconds of work can cost several times more.

Run: .venv/bin/python bench/bench_creation.py [--rounds 400]
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_overhead import CREATED, KEYS, creation_sessions  # noqa: E402
from harness import compare, paired_ratio, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.install import plugin_of  # noqa: E402

URL = "http://127.0.0.1:9"  # never called: creating a client opens no connection
OURS, NO_BREAKER, NOT_FINISHED = "euca-boto", "euca-boto, no breaker", "euca-boto, not finished"
BOTOCORE = "botocore's create_client"
ARGUMENTS = "plain boto3, euca-boto's args"


def sibling(loader_of: Any, **settings: Any) -> Any:
    """An installed session sharing ``loader_of``'s loader (one copy of each model, as in a
    program with one session: see ``creation_sessions``)."""
    session = euca_boto.session(**KEYS, euca_endpoint=URL, **settings)
    session._session.register_component("data_loader",
                                        loader_of._session.get_component("data_loader"))
    return session


def unfinished(loader_of: Any) -> Any:
    session = sibling(loader_of)
    plugin = plugin_of(session)
    assert plugin is not None
    plugin.finish_client = lambda client, goes_to_aws=False: client  # type: ignore[method-assign]
    return session


def prepared(session: Any, service: str) -> dict[str, Any]:
    """The endpoint, verification and ``Config`` an installed session creates a client of
    ``service`` with (what it passes to botocore's ``create_client``)."""
    plugin = plugin_of(session)
    assert plugin is not None
    arguments: dict[str, Any] = {"service_name": service}
    plugin.prepare_arguments(arguments)
    return {key: arguments[key] for key in ("endpoint_url", "verify", "config")}


def botocore_create_client(loader_of: Any) -> Any:
    session = sibling(loader_of)
    del session._session.create_client  # the class's own again
    session._session.unregister("creating-client-class",
                                unique_id="euca-boto-creating-client-class")
    return session


def shares(ratios: dict[str, float]) -> str:
    """What each step adds, in % of plain boto3's time (differences of the rows' ratios)."""
    def added(a: str, b: str | None = None) -> str:
        return f"{(ratios[a] - (ratios[b] if b else 1.0)) * 100:+.1f} %"

    return (f"  in % of plain boto3's time: the Config euca-boto passes {added(ARGUMENTS)}, "
            f"preparing and building {added(NOT_FINISHED, ARGUMENTS)}, finishing "
            f"{added(OURS, NOT_FINISHED)} (the breaker {added(OURS, NO_BREAKER)}); "
            f"an installed session whose create_client is botocore's {added(BOTOCORE)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    plain, ours = creation_sessions(URL)
    others = [(NO_BREAKER, sibling(ours, euca_breaker=False), False),
              (NOT_FINISHED, unfinished(ours), False),
              (BOTOCORE, botocore_create_client(ours), True)]
    for _, session, with_url in others:  # each has made a client of every service already
        for service, path in CREATED:
            session.client(service, **({"endpoint_url": URL + path} if with_url else {}))
    for service, path in CREATED:
        variants = [("plain boto3",
                     functools.partial(plain.client, service, endpoint_url=URL + path)),
                    (ARGUMENTS, functools.partial(plain.client, service,
                                                  **prepared(ours, service))),
                    (OURS, functools.partial(ours.client, service))]
        variants += [(name, functools.partial(session.client, service,
                                              **({"endpoint_url": URL + path} if with_url
                                                 else {})))
                     for name, session, with_url in others]
        results = compare(variants, rounds=args.rounds, warmup=20)
        print(report(f"session.client({service!r}): time of one creation", results))
        ratios = {result.name: paired_ratio(result.latencies, results[0].latencies)
                  for result in results[1:]}
        for name, (_, text) in ratios.items():
            print(f"  {name:<28} median ratio of the rounds {text}")

        print(shares({name: ratio for name, (ratio, _) in ratios.items()}))
        print()


if __name__ == "__main__":
    main()
