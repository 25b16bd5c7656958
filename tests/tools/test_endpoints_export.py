"""``euca-boto endpoints export``: the profile's endpoints in the shared config file, in the form
every AWS SDK reads, written again unchanged, the rest of the file untouched; euca-boto still
choosing among the profile's endpoints; bad input refused with the file as it was."""

from __future__ import annotations

import configparser
import json
from collections.abc import Callable
from pathlib import Path

from toolrun import ATTEMPTS, BIN, Tool

MINE = "\n# my own profile\n[profile mine]\nregion = us-east-1\noutput = json\n"


def export(tool: Tool) -> tuple[int, str, str]:
    result = tool.run(BIN / "euca-boto", "endpoints", "export", "--profile", tool.profile)
    return result.returncode, result.stdout, result.stderr


def test_the_endpoints_are_written_as_every_sdk_reads_them_and_nothing_else_changes(
    tool: Callable[..., Tool],
) -> None:
    t = tool(wire=None)
    config = Path(t.env["AWS_CONFIG_FILE"])
    config.write_text(config.read_text() + MINE)
    profile_text = config.read_text().split(MINE)[0]
    status, out, err = export(t)
    assert status == 0, err
    assert out.startswith(f"exported: the endpoints of profile '{t.profile}' in {config}")
    url = t.cloud.service_url
    assert config.read_text() == (
        profile_text
        + f"services = euca-boto-{t.profile}\nretry_mode = standard\n"
          f"max_attempts = {ATTEMPTS}\n" + MINE
        + f"\n[services euca-boto-{t.profile}]\n"
        + "".join(f"{key} =\n  endpoint_url = {url(service)}\n" for key, service in (
            ("euserv", "euserv"), ("euprop", "euprop"), ("euconfig", "euconfig"),
            ("ec2", "ec2"), ("euca_ec2", "ec2"), ("iam", "iam"), ("sts", "sts"),
            ("s3", "s3"))))
    written = config.read_text()
    status, out, err = export(t)
    assert status == 0, err
    assert out.startswith("up to date:")
    assert config.read_text() == written


def test_euca_boto_still_chooses_among_the_profiles_endpoints(tool: Callable[..., Tool]) -> None:
    """The exported URL is the first of the profile's endpoints, not a pin."""
    t = tool(wire=None)
    assert export(t)[0] == 0
    t.cloud.endpoint(0).stop()
    result = t.run(BIN / "python", "-c", "import euca_boto; euca_boto.session().client('euprop')"
                   ".describe_properties(Properties=['dns.enabled'])")
    assert result.returncode == 0, result.stderr
    assert t.hits() == [0, 1]


def test_run_exports_the_same_urls_to_its_processes(tool: Callable[..., Tool]) -> None:
    """What run puts in AWS_ENDPOINT_URL_* is what export writes, per service blocks included."""
    t = tool(wire=None)
    config = Path(t.env["AWS_CONFIG_FILE"])
    second = t.cloud.endpoint(1).url
    config.write_text(config.read_text() + f"euserv =\n    euca_endpoint_urls = {second}\n")
    ran = t.euca_run(BIN / "python", "-I", "-c", "import os, json; print(json.dumps({k: v for "
                     "k, v in os.environ.items() if k.startswith('AWS_ENDPOINT_URL_')}))")
    assert ran.returncode == 0, ran.stderr
    assert export(t)[0] == 0
    parser = configparser.RawConfigParser()
    parser.read(config)
    written = {key: value.split("=", 1)[1].strip()
               for key, value in parser.items(f"services euca-boto-{t.profile}")}
    assert {f"AWS_ENDPOINT_URL_{key.upper()}": url for key, url in written.items()} == \
        json.loads(ran.stdout)
    assert written["euserv"] == t.cloud.service_url("euserv", 1)


def test_a_config_file_that_cannot_be_parsed_is_left_as_it_was(tool: Callable[..., Tool]) -> None:
    t = tool(wire=None)
    config = Path(t.env["AWS_CONFIG_FILE"])
    config.write_text(config.read_text() + "[profile mine]\nregion = a\nregion = b\n")
    before = config.read_bytes()
    status, _, err = export(t)
    assert status == 2
    line = len(before.decode().splitlines())
    assert err.splitlines() == [f"euca-boto: configuration error: {config}, line {line}: "
                                f"'region' is set twice in [profile mine]; keep one"]
    assert config.read_bytes() == before


def test_a_profile_with_a_services_section_of_its_own_is_left_as_it_was(
    tool: Callable[..., Tool],
) -> None:
    t = tool("services = mine\n", wire=None)
    config = Path(t.env["AWS_CONFIG_FILE"])
    config.write_text(config.read_text() + "\n[services mine]\ns3 =\n  endpoint_url = "
                      "http://127.0.0.1:9\n")
    before = config.read_bytes()
    status, _, err = export(t)
    assert status == 2
    assert err.splitlines() == [
        f"euca-boto: configuration error: profile '{t.profile}' uses its own [services mine] "
        f"section ({config}); the exported endpoints go to a section of their own: remove "
        f"`services = mine` from the profile first, or keep yours"]
    assert config.read_bytes() == before


def test_a_profile_without_endpoints_has_nothing_to_export(tool: Callable[..., Tool]) -> None:
    t = tool(wire=None)
    config = Path(t.env["AWS_CONFIG_FILE"])
    config.write_text("\n".join(line for line in config.read_text().splitlines()
                                if not line.startswith("euca_endpoint_urls")) + "\n")
    before = config.read_bytes()
    status, _, err = export(t)
    assert status == 2
    assert "names no endpoint" in err and len(err.splitlines()) == 1
    assert config.read_bytes() == before
