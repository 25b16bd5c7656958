"""Our models are documented for operators."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from models_support import MODELS_DIR

MODEL_FILES = sorted(MODELS_DIR.glob("*/*/service-2*.json"))


def documented_items(model: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(name, documentation) of every operation and every structure member the file adds."""
    for name, operation in model.get("operations", {}).items():
        if "name" in operation:  # an operation of its own, not a merge into botocore's
            yield f"operation {name}", operation.get("documentation")
    for shape_name, shape in model.get("shapes", {}).items():
        for member_name, member in shape.get("members", {}).items():
            yield f"{shape_name}.{member_name}", member.get("documentation")


def text_of(documentation: str | None) -> str:
    return re.sub(r"<[^>]+>", "", documentation or "").strip()


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(MODELS_DIR)))
def test_every_operation_and_member_has_documentation(path: Path) -> None:
    data = json.loads(path.read_text())
    model = data.get("merge", data)

    undocumented = [name for name, doc in documented_items(model) if not text_of(doc)]

    assert list(documented_items(model))
    assert undocumented == []


def test_each_own_model_says_how_to_create_its_client() -> None:
    for path in MODELS_DIR.glob("*/*/service-2.json"):
        model = json.loads(path.read_text())
        service_id = model["metadata"]["serviceId"]
        assert f"session.client('{service_id}')" in model["documentation"], path

