// Shard module.
