# checkoutservice.PlaceOrder -> emailservice.SendOrderConfirmation: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "emailservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/EmailService/SendOrderConfirmation"
      }
    }
    Destination = {
      Service = "emailservice"
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
      Service = "emailservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
