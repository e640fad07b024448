"""What the Streamlit pages share: the page registry, selection state, cached accessors and widgets.

Pages read and write only through ``storyboard_core``; this package holds no data of its own beyond the
selection (carried in the URL) and unsaved edits (in ``st.session_state``).
"""
