"""Pure rendering helpers: view maths, URL state, HTML and text. No streamlit or folium import here."""
