"""Alignment Workshop: the headless library (domain, storage, export, CLI)."""
