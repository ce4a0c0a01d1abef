"""The math half of ``tinygrad_keras.backend``, split by topic; ``backend`` re-exports it all."""
