# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "pricing"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/PricingService/QuoteOrder"
      }
    }
    Destination = {
      Service = "pricing"
      RequestTimeout = "200ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/PricingService/PriceBatch"
      }
    }
    Destination = {
      Service = "pricing"
      RequestTimeout = "80ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/PricingService/GetPrice"
      }
    }
    Destination = {
      Service = "pricing"
      RequestTimeout = "60ms"
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
      Service = "pricing"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
