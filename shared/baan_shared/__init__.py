"""Baan's shared library: what every service needs and no service owns.

- ``events``: the CloudEvents envelope and the typed event catalogue
- ``bus``: the aiokafka producer, consumer and topic administration
- ``outbox`` / ``inbox``: exactly-once effects over at-least-once delivery
- ``db``, ``settings``, ``http``, ``observability``: the service chassis
"""
