# frontend.Home -> productcatalogservice.ListProducts: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.Product -> productcatalogservice.GetProduct: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.AddToCart -> productcatalogservice.GetProduct: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.ViewCart -> productcatalogservice.GetProduct: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.PlaceOrder -> productcatalogservice.GetProduct: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# checkoutservice.PlaceOrder -> productcatalogservice.GetProduct: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# recommendationservice.ListRecommendations -> productcatalogservice.ListProducts: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "productcatalogservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/ProductCatalogService/ListProducts"
      }
    }
    Destination = {
      Service = "productcatalogservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/ProductCatalogService/GetProduct"
      }
    }
    Destination = {
      Service = "productcatalogservice"
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
      Service = "productcatalogservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
