"""The Textual application of Alignment Workshop."""
