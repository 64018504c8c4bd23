"""AsyncAPI target: one AsyncAPI 3.0 document describing the system's topics.

- a channel per topic (its address is the topic name), with one message; the message's
  key is the topic's ``key``; with ``broker: kafka`` Kafka bindings (partitions, replicas,
  the topic configuration of :func:`meshwright.emit.kafka.topic_config`), with
  ``broker: rabbitmq`` AMQP bindings (the topic exchange of :mod:`meshwright.emit.rabbitmq`);
- per service, a ``send`` operation for each topic it writes and a ``receive`` operation
  for each ``consumes`` entry (with its consumer group), all from
  :mod:`meshwright.emit.topic_access`;
- a server for the platform's broker.

A message's ``payload`` is its topic's ``message`` JSON Schema when the model declares one;
without it the message carries no payload and says so in its description rather than
invent fields. Models without topics get no file.
"""

from __future__ import annotations

from typing import Any

from meshwright.emit import infra
from meshwright.emit.kafka import topic_config
from meshwright.emit.rabbitmq import vhost
from meshwright.emit.registry import target
from meshwright.emit.topic_access import broker_users
from meshwright.emit.yamltext import dump
from meshwright.model.types import Broker, Model, Topic
from meshwright.pipeline import Artifact

Obj = dict[str, Any]

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING = "0.5.0"
AMQP_BINDING = "0.3.0"
NO_PAYLOAD = "The model declares no payload schema for this topic; none is assumed."


def _message_name(topic: str) -> str:
    return f"{topic}-message"


def _channel(model: Model, name: str, topic: Topic) -> Obj:
    role = "Dead-letter topic: messages its consumers could not handle." if topic.dead_letter else ""
    channel: Obj = {
        "address": name,
        "messages": {_message_name(name): {"$ref": f"#/components/messages/{_message_name(name)}"}},
    }
    if role:
        channel["description"] = role
    broker = model.platform.broker
    if broker is Broker.kafka:
        config = topic_config(topic)
        channel["bindings"] = {
            "kafka": {
                "partitions": topic.partitions,
                "replicas": topic.replication,
                "topicConfiguration": {
                    "cleanup.policy": config["cleanup.policy"].split(","),
                    "retention.ms": int(config["retention.ms"]),
                },
                "bindingVersion": KAFKA_BINDING,
            }
        }
    elif broker is Broker.rabbitmq:
        channel["bindings"] = {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": name,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": vhost(model),
                },
                "bindingVersion": AMQP_BINDING,
            }
        }
    return channel


def _message(model: Model, name: str, topic: Topic) -> Obj:
    message: Obj = {"name": _message_name(name), "title": f"A message on {name}"}
    if topic.message is not None:
        message["payload"] = topic.message
    else:
        message["description"] = NO_PAYLOAD
    if topic.key is not None and model.platform.broker is Broker.kafka:
        message["bindings"] = {
            "kafka": {
                "key": {"type": "string", "description": f"The message's {topic.key}."},
                "bindingVersion": KAFKA_BINDING,
            }
        }
    elif topic.key is not None:
        keyed = f"Messages are keyed by {topic.key}."
        message["description"] = f"{message['description']} {keyed}" if "description" in message else keyed
    return message


def _operation(model: Model, action: str, topic: str, summary: str, group: str | None = None) -> Obj:
    op: Obj = {
        "action": action,
        "channel": {"$ref": f"#/channels/{topic}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{topic}/messages/{_message_name(topic)}"}],
    }
    if group is not None and model.platform.broker is Broker.kafka:
        op["bindings"] = {
            "kafka": {"groupId": {"type": "string", "enum": [group]}, "bindingVersion": KAFKA_BINDING}
        }
    return op


def operations(model: Model) -> Obj:
    """Every send and receive operation, keyed ``<service>.send.<topic>`` / ``.receive.``."""
    out: Obj = {}
    for access in broker_users(model):
        svc = access.service
        for topic in access.publishes:
            out[f"{svc}.send.{topic}"] = _operation(model, "send", topic, f"{svc} publishes {topic}.")
        for topic in access.dead_letters:
            out[f"{svc}.send.{topic}"] = _operation(
                model, "send", topic, f"{svc} parks the messages it cannot handle in {topic}."
            )
        for read in access.reads:
            handler = f", handled by {read.handler}" if read.handler else ""
            key = f"{svc}.receive.{read.topic}"
            if key in out:
                key = f"{key}.{read.group}"
            out[key] = _operation(
                model,
                "receive",
                read.topic,
                f"{svc} consumes {read.topic} as group {read.group}{handler}.",
                read.group,
            )
    return out


def document(model: Model) -> Obj:
    """The AsyncAPI 3.0 document of the system."""
    doc: Obj = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": model.system, "version": "0.0.0", "description": model.description or model.system},
        "defaultContentType": "application/json",
    }
    facts = infra.broker(model.platform.broker)
    if facts is not None:
        protocol = "kafka" if model.platform.broker is Broker.kafka else "amqp"
        server: Obj = {"host": f"{model.platform.broker.value}:{facts.port}", "protocol": protocol}
        if protocol == "amqp":
            server["pathname"] = f"/{vhost(model)}"
        doc["servers"] = {model.platform.broker.value: server}
    doc["channels"] = {name: _channel(model, name, t) for name, t in sorted(model.topics.items())}
    doc["operations"] = operations(model)
    doc["components"] = {
        "messages": {
            _message_name(name): _message(model, name, t) for name, t in sorted(model.topics.items())
        }
    }
    return doc


@target("asyncapi", "AsyncAPI 3.0 document of the system's topics and who sends and receives them")
def emit(model: Model) -> list[Artifact]:
    if not model.topics:
        return []
    return [Artifact("asyncapi.yaml", dump(document(model)))]
