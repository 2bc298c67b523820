"""Specs of the message parser (nlp/)."""
