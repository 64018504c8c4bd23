# allowed: exactly the calls of the model its authorization permits
Kind = "service-intentions"
Name = "inventory"
Sources = [
  {
    Name = "checkout"
    Description = "checkout calls Reserve (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/InventoryService/Reserve"
        }
      },
    ]
  },
  {
    Name = "web-bff"
    Description = "web-bff calls GetAvailability (call graph ∩ authorization)"
    Permissions = [
      {
        Action = "allow"
        HTTP = {
          PathExact = "/InventoryService/GetAvailability"
        }
      },
    ]
  },
]
