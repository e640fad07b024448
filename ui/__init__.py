"""The Streamlit app's code, in three layers that import only downwards: views -> components -> frame.

- ``frame``: what every page runs inside: the page registry, the selection in the URL, drafts, the gate,
  the sidebar, the error boundary, the one text-escaping helper and every cached service.
- ``components``: widgets several pages share (messages, shot cards, comments, history, render jobs...).
- ``views``: each page's own parts; the page files in ``pages/`` only put them together.

Pages read and write only through ``storyboard_core``; this package holds no data of its own beyond the
selection (carried in the URL) and unsaved edits (in ``st.session_state``). ``tests/app/test_layers.py``
checks the direction of the imports.
"""
