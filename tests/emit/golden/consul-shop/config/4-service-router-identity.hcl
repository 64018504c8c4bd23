# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "identity"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/IdentityService/GetProfile"
      }
    }
    Destination = {
      Service = "identity"
      RequestTimeout = "60ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/IdentityService/Login"
      }
    }
    Destination = {
      Service = "identity"
      RequestTimeout = "400ms"
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
      Service = "identity"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
