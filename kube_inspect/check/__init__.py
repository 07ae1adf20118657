"""`kube-inspect check`: rules and expectations over the model and the objects read."""
