"""Test-wide set-up: Kivy with no screen (RECIPES.md), fresh temp dirs."""

from __future__ import annotations

import os
import tempfile

# Must be set before anything imports kivy (RECIPES.md: never SDL's "dummy" video driver).
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
