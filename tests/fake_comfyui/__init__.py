"""A fake ComfyUI server for tests (see ``server.FakeComfyUI``) and its pytest fixtures."""
