"""The curriculum in IMS CASE 1.1: a framework as a CFPackage (:mod:`.export`) and a CFPackage loaded as
curriculum nodes with their provenance (:mod:`.importing`). Identifiers are shared by both (:mod:`.identity`)."""
