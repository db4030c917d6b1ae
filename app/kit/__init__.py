"""Small helpers shared by every layer, free of the app's own imports."""
