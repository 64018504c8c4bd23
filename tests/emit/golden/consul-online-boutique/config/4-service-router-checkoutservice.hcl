# frontend.PlaceOrder -> checkoutservice.PlaceOrder: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "checkoutservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/CheckoutService/PlaceOrder"
      }
    }
    Destination = {
      Service = "checkoutservice"
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
      Service = "checkoutservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
