"""Russian text analysis on the ground floor: one reading of a word for search and curriculum alignment.

``analysis`` — normalisation («ё» → «е»), tokens, stop words, Snowball stems; ``synonyms`` — school
abbreviations and synonyms (Solr rules). ``search`` builds its engine analyzers from the same data files, and
``content_repo.alignment`` matches resources to curriculum topics with the same stems, so a query and a
suggestion read a word the same way. Nothing here imports Django.
"""
