"""The messages the services ask for, built from `ical` and `mail`, which must not know each other."""
