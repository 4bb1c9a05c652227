"""Shared Streamlit widgets: filters, downloads, explain popovers, map controls, sign-in."""
