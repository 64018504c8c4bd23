# payment.Charge -> fraud.Score: circuit_breaker.half_open_requests: Consul returns an ejected host after BaseEjectionTime, unprobed
Kind = "service-defaults"
Name = "payment"
Protocol = "grpc"
UpstreamConfig = {
  Overrides = [
    {
      Name = "fraud"
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
