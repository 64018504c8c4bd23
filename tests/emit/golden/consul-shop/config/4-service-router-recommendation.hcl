# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "recommendation"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/RecommendationService/ForCustomer"
      }
    }
    Destination = {
      Service = "recommendation"
      RequestTimeout = "110ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/RecommendationService/Similar"
      }
    }
    Destination = {
      Service = "recommendation"
      RequestTimeout = "80ms"
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
      Service = "recommendation"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
