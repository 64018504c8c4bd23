# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "search"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/SearchApi/Query"
        Methods = ["POST"]
      }
    }
    Destination = {
      Service = "search"
      RequestTimeout = "200ms"
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
      Service = "search"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
