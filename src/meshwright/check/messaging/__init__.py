"""Messaging rules (MW4xx): topics, consumers, outbox, sagas."""

from meshwright.check.messaging.MW401 import TopicWithoutProducer
from meshwright.check.messaging.MW402 import TopicWithoutConsumer
from meshwright.check.messaging.MW403 import ConsumerWithoutDeadLetter
from meshwright.check.messaging.MW404 import DualWriteWithoutOutbox
from meshwright.check.messaging.MW405 import SagaStepWithoutCompensation
from meshwright.check.messaging.MW406 import NonIdempotentCompensation
from meshwright.check.messaging.MW407 import NonIdempotentConsumer
from meshwright.check.messaging.MW408 import SharedConsumerGroup
from meshwright.check.messaging.MW409 import PartitionsBelowConsumers
from meshwright.check.messaging.MW410 import LowReplication
from meshwright.check.messaging.MW411 import TopicsWithoutBroker
from meshwright.check.messaging.MW412 import UnkeyedPartitionedTopic
from meshwright.check.messaging.MW413 import ServicePublishesNothing
from meshwright.check.messaging.MW414 import MinInsyncAtReplicas
from meshwright.check.messaging.MW415 import UnreadDeadLetterTopic
from meshwright.check.messaging.MW416 import HandlerOnNetworkProtocol

RULES = (
    TopicWithoutProducer,
    TopicWithoutConsumer,
    ConsumerWithoutDeadLetter,
    DualWriteWithoutOutbox,
    SagaStepWithoutCompensation,
    NonIdempotentCompensation,
    NonIdempotentConsumer,
    SharedConsumerGroup,
    PartitionsBelowConsumers,
    LowReplication,
    TopicsWithoutBroker,
    UnkeyedPartitionedTopic,
    ServicePublishesNothing,
    MinInsyncAtReplicas,
    UnreadDeadLetterTopic,
    HandlerOnNetworkProtocol,
)
