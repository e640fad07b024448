"""Tests of storyboard_core.bible."""
