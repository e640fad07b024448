"""Review: what reviewers say about shots and how it comes back to the project.

``comments`` (threads of comments and verdicts, the review summary), ``drawing`` and
``drawing_image`` (notes drawn on a frame, kept as data and rasterised for hand-outs), ``feedback``
(the offline player's verdicts imported back), ``editor_name`` (the name an editor comments under)
and ``room`` (a review room: everyone on Present follows the presenter).
"""
