# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "catalog"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/CatalogService/GetProduct"
      }
    }
    Destination = {
      Service = "catalog"
      RequestTimeout = "60ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/CatalogService/ListFeatured"
      }
    }
    Destination = {
      Service = "catalog"
      RequestTimeout = "80ms"
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
      Service = "catalog"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
