"""Search's name for the shared synonyms and school abbreviations, which live in :mod:`content_repo.text.synonyms`.

Kept so that ``search.synonyms.expand_synonyms`` and friends still resolve; new code imports the ground-floor
module.
"""

from content_repo.text.synonyms import (
    SYNONYMS_FILE,
    Phrase,
    SynonymRuleError,
    TermGroup,
    expand_synonyms,
    parse_rule,
    synonym_map,
    synonym_rules,
)

__all__ = [
    "SYNONYMS_FILE",
    "Phrase",
    "SynonymRuleError",
    "TermGroup",
    "expand_synonyms",
    "parse_rule",
    "synonym_map",
    "synonym_rules",
]
