"""The pure core: availability, slots and the planner. No I/O, no framework, never reads the clock."""
