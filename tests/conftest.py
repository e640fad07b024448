"""Fixtures shared by every test folder."""

pytest_plugins = ["tests.fake_comfyui.fixtures"]
