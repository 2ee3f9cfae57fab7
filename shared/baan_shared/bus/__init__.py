"""The Kafka transport: producer, consumer with inbox and dead letters, topic admin."""
