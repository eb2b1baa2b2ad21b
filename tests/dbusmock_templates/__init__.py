"""python-dbusmock templates for the services dbusmock lacks, and a private system bus for tests."""
