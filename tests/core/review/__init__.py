"""Tests of storyboard_core.review."""
