"""Tests of the authoring frontend (tessel.language, tessel.frontend,
tessel.compiler, the tessel command)."""
