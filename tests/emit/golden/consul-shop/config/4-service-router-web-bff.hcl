# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "web-bff"
Routes = [
  {
    Match = {
      HTTP = {
        PathPrefix = "/"
      }
    }
    Destination = {
      Service = "web-bff"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
