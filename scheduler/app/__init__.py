"""The composition root: the running service (`runtime`) and its timed jobs (`jobs`)."""
