"""The app frame: what every page runs inside. It never imports ``ui.components`` or ``ui.views``."""
