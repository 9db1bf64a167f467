"""mission-scheduler: plan and run a virtual trade mission across time zones."""

__version__ = "0.1.0"
