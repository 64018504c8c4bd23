"""Security rules (MW5xx): transport security, authorization, secrets, edge protection."""

from meshwright.check.security.MW501 import NoMutualTls
from meshwright.check.security.MW502 import WildcardAuthorization
from meshwright.check.security.MW503 import InlineSecret
from meshwright.check.security.MW504 import SecretInConfig
from meshwright.check.security.MW505 import PublicEntrypointWithoutRateLimit
from meshwright.check.security.MW506 import NoAuthorizationPolicy
from meshwright.check.security.MW507 import EntrypointToInternalService
from meshwright.check.security.MW508 import SecretsInKubernetesStore
from meshwright.check.security.MW509 import CallNotAuthorized

RULES = (
    NoMutualTls,
    WildcardAuthorization,
    InlineSecret,
    SecretInConfig,
    PublicEntrypointWithoutRateLimit,
    NoAuthorizationPolicy,
    EntrypointToInternalService,
    SecretsInKubernetesStore,
    CallNotAuthorized,
)
