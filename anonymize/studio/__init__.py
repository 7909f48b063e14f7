"""``anonymize studio``: look at, correct and approve the exhibition in a local browser."""
