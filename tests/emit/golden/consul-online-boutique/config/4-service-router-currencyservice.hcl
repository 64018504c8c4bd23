# frontend.Home -> currencyservice.GetSupportedCurrencies: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.Home -> currencyservice.Convert: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.Product -> currencyservice.GetSupportedCurrencies: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.Product -> currencyservice.Convert: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.ViewCart -> currencyservice.GetSupportedCurrencies: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.ViewCart -> currencyservice.Convert: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.PlaceOrder -> currencyservice.GetSupportedCurrencies: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# checkoutservice.PlaceOrder -> currencyservice.Convert: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "currencyservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/CurrencyService/GetSupportedCurrencies"
      }
    }
    Destination = {
      Service = "currencyservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/CurrencyService/Convert"
      }
    }
    Destination = {
      Service = "currencyservice"
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
      Service = "currencyservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
