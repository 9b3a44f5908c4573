"""Harnesses run by the test suite and by hand: the crash harness and its scripted child."""
