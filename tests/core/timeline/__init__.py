"""Tests of storyboard_core.timeline."""
