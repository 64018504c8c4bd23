# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "payment"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/PaymentService/Charge"
      }
    }
    Destination = {
      Service = "payment"
      RequestTimeout = "700ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathPrefix = "/"
      }
    }
    Destination = {
      Service = "payment"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
