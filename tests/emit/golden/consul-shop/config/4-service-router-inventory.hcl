# the last route serves traffic no modelled call describes: mesh retries off
Kind = "service-router"
Name = "inventory"
Routes = [
  {
    Match = {
      HTTP = {
        PathExact = "/InventoryService/Reserve"
      }
    }
    Destination = {
      Service = "inventory"
      RequestTimeout = "100ms"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
  {
    Match = {
      HTTP = {
        PathExact = "/InventoryService/GetAvailability"
      }
    }
    Destination = {
      Service = "inventory"
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
      Service = "inventory"
      NumRetries = 0
      RetryOnConnectFailure = false
    }
  },
]
