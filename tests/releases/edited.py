"""Pages that boto3 renders from an edited botocore model, for the diff rules that the
1.42.50 → 1.44.8 pair of releases never exercises (an operation undeprecated, an API
name changed, a flag changed, a response enum introduced or dropped).

`model(service)` is the pinned botocore's model in the form `model_changes` reads;
`render(service, model, out)` writes the pages the pinned boto3 renders from it, the
way `codegen render-rst` does, but with the edited `service-2` put first on the loader's
search path of a session of its own (the process's default session is not touched).
The expected diff of two such renders is `model_changes.expected_facts` of the models.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from boto3.docs.service import ServiceDocumenter

KINDS = ("client", "paginator", "waiter")


def model(service: str) -> dict[str, Any]:
    loader = botocore.session.get_session().get_component("data_loader")
    out: dict[str, Any] = {"service-2": loader.load_service_model(service, "service-2")}
    for kind in ("paginators-1", "waiters-2"):
        out[kind] = loader.load_service_model(service, kind)  # both exist for the services used
    # A deep copy, free to edit: the loader caches what it returns.
    copied: dict[str, Any] = json.loads(json.dumps(out))
    return copied


def render(service: str, edited: dict[str, Any], out: Path) -> Path:
    """out/<service>/{client,paginator,waiter}/*.rst rendered from `edited`."""
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    with tempfile.TemporaryDirectory() as tmp:
        version = edited["service-2"]["metadata"]["apiVersion"]
        for kind in ("service-2", "paginators-1", "waiters-2"):
            path = Path(tmp) / service / version / f"{kind}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(edited[kind]))
        loader.search_paths.insert(0, tmp)
        rendered = Path(tmp) / "pages"
        boto3_session = boto3.Session(botocore_session=session, region_name="us-east-1")
        ServiceDocumenter(service, boto3_session, str(rendered)).document_service()
        names = session.get_service_model(service).operation_names
        assert sorted(names) == sorted(edited["service-2"]["operations"]), "not the edited model"
        for kind in KINDS:
            if (rendered / service / kind).is_dir():
                (out / service / kind).mkdir(parents=True, exist_ok=True)
                for page in (rendered / service / kind).glob("*.rst"):
                    (out / service / kind / page.name).write_bytes(page.read_bytes())
    return out / service
