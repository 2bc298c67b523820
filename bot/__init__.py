"""The edge: WeCom transports, web service, CLI, scheduler wiring, composition root."""
