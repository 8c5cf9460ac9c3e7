"""The user's own candidate sites (drawn on the map or saved from a tract search), kept with the user's data."""
