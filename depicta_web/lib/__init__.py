"""Small plain helpers shared by the apps; nothing here knows a model or a view."""
