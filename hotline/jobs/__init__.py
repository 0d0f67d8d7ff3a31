"""Background jobs: the scheduler, the service's background parts, heartbeats."""
