"""The public names of localiam.store and localiam.store.models."""

from __future__ import annotations

from types import ModuleType

import pytest

from localiam import store
from localiam.store import models


@pytest.mark.parametrize("module", [store, models], ids=["store", "models"])
def test_all_is_sorted_and_every_name_exists(module: ModuleType) -> None:
    names = list(module.__all__)
    assert names == sorted(names)
    assert all(hasattr(module, name) for name in names)


def test_every_table_has_a_model_in_models() -> None:
    mapped = {mapper.class_.__tablename__ for mapper in models.Base.registry.mappers}
    exported = {
        getattr(models, name).__tablename__
        for name in models.__all__
        if hasattr(getattr(models, name), "__tablename__")
    }
    assert mapped == exported == set(models.Base.metadata.tables)
