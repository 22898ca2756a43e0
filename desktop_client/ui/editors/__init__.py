"""Editors for a record and its lines; what a save does is a ``saving.Saver``."""
