# pricing.QuoteOrder -> shipping.Quote: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
Kind = "service-defaults"
Name = "pricing"
Protocol = "grpc"
UpstreamConfig = {
  Overrides = [
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
