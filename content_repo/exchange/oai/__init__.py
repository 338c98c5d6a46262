"""The OAI-PMH 2.0 provider: protocol (:mod:`.protocol`), verbs (:mod:`.provider`), formats (:mod:`.formats`),
sets (:mod:`.sets`), resumption tokens (:mod:`.tokens`) and the feed follower (:mod:`.sync`)."""
