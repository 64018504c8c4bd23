# checkoutservice.PlaceOrder -> paymentservice.Charge: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "paymentservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/PaymentService/Charge"
      }
    }
    Destination = {
      Service = "paymentservice"
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
      Service = "paymentservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
