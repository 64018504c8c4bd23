# frontend.Product -> recommendationservice.ListRecommendations: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.ViewCart -> recommendationservice.ListRecommendations: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# frontend.PlaceOrder -> recommendationservice.ListRecommendations: the call has no timeout: Consul's proxy applies Envoy's default route timeout (15s)
# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "recommendationservice"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/RecommendationService/ListRecommendations"
      }
    }
    Destination = {
      Service = "recommendationservice"
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
      Service = "recommendationservice"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
