"""Widgets several pages share. They import the frame, never ``ui.views``."""
