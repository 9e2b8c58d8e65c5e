"""Fixtures for the core's tests: the real default embedding model (search and index)."""

from __future__ import annotations

import pytest

from lucy_app.core.llm.defaults import default_embedding_model_path
from lucy_app.core.llm.service import ModelService


@pytest.fixture(scope="session")
def embed_models():
    """A ModelService with only the default embedding model (produced by `make models`)."""
    path = default_embedding_model_path()
    if not path.is_file():
        pytest.fail(f"default model missing: {path} (run `make models`)", pytrace=False)
    service = ModelService(None, path)
    yield service
    service.free()
