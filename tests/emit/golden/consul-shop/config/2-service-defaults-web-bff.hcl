# web-bff: rate_limit 2000/s is service-wide; Consul limits each instance (Consul Enterprise), written as 333/s and a burst of 333 per instance over 6 replica(s), the autoscaler's minimum: more replicas admit more
# web-bff.Home -> recommendation.ForCustomer: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.ProductPage -> catalog.GetProduct shares web-bff's limits and health checks for catalog, taken from web-bff.Home -> catalog.ListFeatured
# web-bff.Home -> catalog.ListFeatured: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.ProductPage -> pricing.GetPrice shares web-bff's limits and health checks for pricing, taken from web-bff.Home -> pricing.PriceBatch
# web-bff.Home -> pricing.PriceBatch: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.Search -> search.Query: circuit_breaker.error_rate cannot be expressed by Consul passive health checks
# web-bff.Search -> search.Query: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.ProductPage -> inventory.GetAvailability: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.GetCart -> cart.GetCart: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.Checkout -> checkout.PlaceOrder: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.Login -> identity.Login: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# web-bff.GetOrder -> orders.GetOrder: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
Kind = "service-defaults"
Name = "web-bff"
Protocol = "http"
RateLimits = {
  InstanceLevel = {
    RequestsPerSecond = 333
    RequestsMaxBurst = 333
  }
}
UpstreamConfig = {
  Overrides = [
    {
      Name = "recommendation"
      Limits = {
        MaxConnections = 40
        MaxPendingRequests = 0
        MaxConcurrentRequests = 40
      }
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "catalog"
      Limits = {
        MaxConnections = 40
        MaxPendingRequests = 0
        MaxConcurrentRequests = 40
      }
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "pricing"
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "inventory"
      Limits = {
        MaxConnections = 60
        MaxPendingRequests = 0
        MaxConcurrentRequests = 60
      }
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "cart"
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "checkout"
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "identity"
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "orders"
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
  ]
}
