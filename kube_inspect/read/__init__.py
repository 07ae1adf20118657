"""Reading a cluster: one read_cluster(client, selection) that every view builds on."""
