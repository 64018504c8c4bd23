# frontend.Home -> cartservice.GetCart: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.Product -> cartservice.GetCart: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.AddToCart -> cartservice.AddItem: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.ViewCart -> cartservice.GetCart: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.EmptyCart -> cartservice.EmptyCart: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# checkoutservice.PlaceOrder -> cartservice.GetCart: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# checkoutservice.PlaceOrder -> cartservice.EmptyCart: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "cartservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/CartService/GetCart"
      }
    }
    Destination = {
      Service = "cartservice"
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
      Service = "cartservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/CartService/EmptyCart"
      }
    }
    Destination = {
      Service = "cartservice"
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
      Service = "cartservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
