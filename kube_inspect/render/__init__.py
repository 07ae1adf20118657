"""Renderers: one module per output format, each writing a Cluster to a stream."""
