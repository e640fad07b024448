import streamlit as st  # noqa: F401  (the floor of the AppTest rows: a page that draws nothing)
