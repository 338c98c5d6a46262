"""Curriculum alignment: suggestions of ФРП topics and ФИПИ codifier elements for resources.

The engine is a pure library (no database, no Django): build a :class:`SuggestionEngine` once from a
:class:`Curriculum` and ask it for :class:`Suggestion` objects per :class:`ResourceRecord`. Services (intake,
``manage.py suggest_alignments``) call it in batches; docs/alignment.md describes how it works and how its
threshold was calibrated.
"""

from .curriculum import Curriculum, CurriculumNode, NodeKind, SubjectInfo, load_curriculum_file
from .engine import EngineSettings, SuggestionEngine
from .reading import IdentityKeys, identity_keys
from .records import AlignmentType, ConfirmedHint, HintKind, ResourceRecord, Suggestion

__all__ = [
    "AlignmentType",
    "ConfirmedHint",
    "Curriculum",
    "CurriculumNode",
    "EngineSettings",
    "HintKind",
    "IdentityKeys",
    "NodeKind",
    "ResourceRecord",
    "SubjectInfo",
    "Suggestion",
    "SuggestionEngine",
    "identity_keys",
    "load_curriculum_file",
]
