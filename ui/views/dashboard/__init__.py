"""The dashboard's parts: the projects and one project's sequences, and the StoryCore import."""
