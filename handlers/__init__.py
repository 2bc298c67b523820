"""Features: what the bot does with each parsed message, and its scheduled jobs."""
