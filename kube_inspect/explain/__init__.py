"""Plain words for newcomers: the guided tour and the explanation of one object."""
