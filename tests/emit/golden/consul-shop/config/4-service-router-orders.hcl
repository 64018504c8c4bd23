# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "orders"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/OrderService/CreateOrder"
      }
    }
    Destination = {
      Service = "orders"
      RequestTimeout = "120ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/OrderService/ConfirmOrder"
      }
    }
    Destination = {
      Service = "orders"
      RequestTimeout = "100ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/OrderService/GetOrder"
      }
    }
    Destination = {
      Service = "orders"
      RequestTimeout = "60ms"
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
      Service = "orders"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
