"""The model service for a journal: its chosen model files, or the bundled defaults."""

from __future__ import annotations

from pathlib import Path

from lucy_app.core.llm import defaults
from lucy_app.core.llm.service import ModelService
from lucy_app.core.settings import Settings


def chat_model_path(settings: Settings) -> Path:
    return Path(settings.chat_model).expanduser() if settings.chat_model else defaults.default_chat_model_path()


def embedding_model_path(settings: Settings) -> Path:
    return (Path(settings.embedding_model).expanduser() if settings.embedding_model
            else defaults.default_embedding_model_path())


def model_service(settings: Settings) -> ModelService:
    """A service for the journal's models (loaded lazily, on first use)."""
    return ModelService(chat_model_path(settings), embedding_model_path(settings), threads=settings.threads)
