"""Tests of storyboard_core.player."""
