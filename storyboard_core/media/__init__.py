"""Image and video files: checked by decoding, kept beside their shot, made small enough to inline.

``images`` and ``video`` check a file someone hands us; ``clips`` keeps a checked clip with its poster
and last frame; ``frames`` makes the JPEG copies the player inlines.
"""
