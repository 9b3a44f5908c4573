"""Reusable widgets: forms, dialogs and tables of the workshop app."""
