# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "shipping"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/ShippingService/CreateShipment"
      }
    }
    Destination = {
      Service = "shipping"
      RequestTimeout = "250ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/ShippingService/Quote"
      }
    }
    Destination = {
      Service = "shipping"
      RequestTimeout = "40ms"
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
      Service = "shipping"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
