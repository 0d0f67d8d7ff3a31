"""Time limits: durations, the working-day calendar, holidays."""
