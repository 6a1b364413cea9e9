"""The public surface of localiam.protocol."""

import localiam.protocol as protocol
from localiam.protocol import load_service_model


def test_all_is_sorted_and_complete() -> None:
    assert protocol.__all__ == sorted(protocol.__all__)
    public = {name for name in vars(protocol) if not name.startswith("_")}
    assert public == set(protocol.__all__)


def test_models_are_the_newest_versions_and_cached() -> None:
    iam = load_service_model("iam")
    assert iam.metadata["apiVersion"] == "2010-05-08"
    assert iam.metadata["protocol"] == "query"
    assert load_service_model("sts").metadata["apiVersion"] == "2011-06-15"
    assert load_service_model("iam") is iam
