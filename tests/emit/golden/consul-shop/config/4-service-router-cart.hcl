# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "cart"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/CartService/GetCart"
      }
    }
    Destination = {
      Service = "cart"
      RequestTimeout = "60ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/CartService/Clear"
      }
    }
    Destination = {
      Service = "cart"
      RequestTimeout = "40ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/CartService/AddItem"
      }
    }
    Destination = {
      Service = "cart"
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
      Service = "cart"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
