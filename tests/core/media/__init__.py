"""Tests of storyboard_core.media."""
