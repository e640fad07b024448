"""The shot page's parts: the editor, its view of the bible and styles, its takes, and a reviewer's read-only view."""
