# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "catalog-catalogadmin"
Routes = [
  {
    Match = {
      HTTP = {
        PathPrefix = "/"
      }
    }
    Destination = {
      Service = "catalog-catalogadmin"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
