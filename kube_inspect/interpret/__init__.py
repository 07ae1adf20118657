"""Building the model: API objects in, frozen model out (pure), and the one health table."""
