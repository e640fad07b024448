"""The presentation player: one self-contained HTML document that plays shots as slides.

``document`` builds the slides and the document from ``assets/`` (the player's script and styles,
``player-*.js`` extensions included); ``sound`` gives the mix that plays under a presentation.
"""
