"""Bug reports upstream accepts: the right tracker, its own template filled, the attachments it asks for."""
