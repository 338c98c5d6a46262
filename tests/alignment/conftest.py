"""The alignment engine over the project's curriculum dataset, built once per test session (no database)."""

from __future__ import annotations

import pytest

from content_repo.alignment import Curriculum, SuggestionEngine, load_curriculum_file


@pytest.fixture(scope="session")
def curriculum() -> Curriculum:
    return load_curriculum_file()


@pytest.fixture(scope="session")
def engine(curriculum: Curriculum) -> SuggestionEngine:
    return SuggestionEngine.from_curriculum(curriculum)
