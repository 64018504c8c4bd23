# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "adservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/AdService/GetAds"
      }
    }
    Destination = {
      Service = "adservice"
      RequestTimeout = "100ms"
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
      Service = "adservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
