# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "fraud"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/FraudService/Score"
      }
    }
    Destination = {
      Service = "fraud"
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
      Service = "fraud"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
