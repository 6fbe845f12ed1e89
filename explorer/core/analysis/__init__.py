"""The analysis pipeline: tokens, embeddings, map, clusters, labels, quality checks and task-kind coverage."""
