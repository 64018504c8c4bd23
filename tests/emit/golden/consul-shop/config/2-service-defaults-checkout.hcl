# checkout.PlaceOrder -> identity.GetProfile: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# checkout.PlaceOrder -> cart.Clear shares checkout's limits and health checks for cart, taken from checkout.PlaceOrder -> cart.GetCart
# checkout.PlaceOrder -> cart.GetCart: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# checkout.PlaceOrder -> pricing.QuoteOrder: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# checkout.PlaceOrder -> orders.CreateOrder: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# checkout.PlaceOrder -> inventory.Reserve: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# checkout.PlaceOrder -> payment.Charge: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
# checkout.PlaceOrder -> shipping.CreateShipment: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
Kind = "service-defaults"
Name = "checkout"
Protocol = "grpc"
UpstreamConfig = {
  Overrides = [
    {
      Name = "identity"
      Limits = {
        MaxConnections = 20
        MaxPendingRequests = 0
        MaxConcurrentRequests = 20
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
      Limits = {
        MaxConnections = 20
        MaxPendingRequests = 0
        MaxConcurrentRequests = 20
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
      Name = "orders"
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
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "30s"
      }
    },
    {
      Name = "payment"
      PassiveHealthCheck = {
        Interval = "10s"
        MaxFailures = 5
        EnforcingConsecutive5xx = 100
        MaxEjectionPercent = 100
        BaseEjectionTime = "60s"
      }
    },
    {
      Name = "shipping"
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
