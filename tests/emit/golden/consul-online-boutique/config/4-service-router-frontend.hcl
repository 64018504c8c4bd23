# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "frontend"
Routes = [
  {
    Match = {
      HTTP = {
        PathPrefix = "/"
      }
    }
    Destination = {
      Service = "frontend"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
