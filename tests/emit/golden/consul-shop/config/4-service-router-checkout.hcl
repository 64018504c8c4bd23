# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "checkout"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/CheckoutService/PlaceOrder"
      }
    }
    Destination = {
      Service = "checkout"
      RequestTimeout = "4s"
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
      Service = "checkout"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
