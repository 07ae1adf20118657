"""The journal of a cluster: every change the recorder saw, kept to be asked about later."""
