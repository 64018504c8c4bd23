# frontend.ViewCart -> shippingservice.GetQuote: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# checkoutservice.PlaceOrder -> shippingservice.GetQuote: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# checkoutservice.PlaceOrder -> shippingservice.ShipOrder: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "shippingservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/ShippingService/GetQuote"
      }
    }
    Destination = {
      Service = "shippingservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/ShippingService/ShipOrder"
      }
    }
    Destination = {
      Service = "shippingservice"
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
      Service = "shippingservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
