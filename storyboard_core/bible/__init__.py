"""The project bible and what a prompt really says.

``entries`` (characters, places, props and styles), ``mentions`` (``@Name`` in prompts),
``references`` (reference images), ``style`` (a shot's prompt expanded, its style and settings
inherited) and ``rewrite`` (find and replace, and renaming an entry, across the project).
"""
