"""Code that two or more roles import: wire models, config, client, text, time."""
