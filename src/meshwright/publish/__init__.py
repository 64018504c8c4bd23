"""`meshwright publish`: load what the model says into a running system (etcd)."""
