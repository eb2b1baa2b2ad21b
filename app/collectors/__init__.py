"""Worker threads that read the system for the GUI: the GUI thread never does I/O."""
