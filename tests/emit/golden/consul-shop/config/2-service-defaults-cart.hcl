# cart.AddItem -> catalog.GetProduct: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
Kind = "service-defaults"
Name = "cart"
Protocol = "grpc"
UpstreamConfig = {
  Overrides = [
    {
      Name = "catalog"
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
