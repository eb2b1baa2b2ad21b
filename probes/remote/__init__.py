"""Remote machines: the framed protocol, the agent that serves it over ssh, and the client end."""
