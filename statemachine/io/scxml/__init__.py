"""The SCXML reader's public path kept from python-statemachine: :mod:`.processor`."""
